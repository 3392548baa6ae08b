// The rules that involve more than one key. Each message points at the key the user most likely
// set: the one that does not hold its default.

#include "config/layers.hpp"
#include "sigv4/signer.hpp"

namespace onehop::config {
namespace {

// S3's limit on the parts of one multipart upload.
constexpr std::uint64_t max_parts = 10000;

struct checker {
  const provenance& origins;
  std::string_view source;

  std::size_t index(std::string_view section, std::string_view name) const {
    // Every name passed here is in the table; a miss is a bug in this file.
    return *find_key(section, name);
  }
  const origin& from(std::size_t i) const { return origins.of[i]; }
  bool is_default(std::size_t i) const { return from(i).from == origin::layer::defaults; }

  config_error error(std::size_t i, std::string_view what) const {
    return key_error(from(i), source, all_keys()[i], what);
  }
  // Of two keys in conflict, the one to blame: `second` unless only `first` was set.
  std::size_t blame(std::size_t first, std::size_t second) const {
    return is_default(second) && !is_default(first) ? first : second;
  }
  std::string set_at(std::size_t i) const {
    return is_default(i) ? std::string("default") : where(from(i), source);
  }
};

// Both or neither of a key pair; `secret_name` names the second in messages.
result<void> pair(const checker& c, std::string_view section, std::string_view id_name,
                  std::string_view secret_name, bool has_id, bool has_secret) {
  if (has_id == has_secret) {
    return {};
  }
  const std::size_t id = c.index(section, id_name);
  const std::size_t secret = c.index(section, secret_name);
  const std::size_t set = has_id ? id : secret;
  return c.error(set, std::string("give both ") + std::string(id_name) + " and " +
                          std::string(secret_name) + std::string(", or neither; ") +
                          std::string(has_id ? secret_name : id_name) + " is empty");
}

bool is_ip_literal(std::string_view host) {
  if (host.starts_with('[')) {
    return true;
  }
  for (char ch : host) {
    if (ch != '.' && (ch < '0' || ch > '9')) {
      return false;
    }
  }
  return true;
}

result<void> check_storage(const checker& c, const storage_section& s) {
  if (auto r = pair(c, "storage", "access_key_id", "secret_access_key", !s.access_key_id.empty(),
                    !s.secret_access_key.empty());
      !r) {
    return r;
  }
  if (!s.session_token.empty() && s.access_key_id.empty()) {
    return c.error(c.index("storage", "session_token"),
                   "a session token needs access_key_id and secret_access_key too");
  }
  if (!s.path_style) {
    const std::size_t bucket = c.index("storage", "bucket");
    const std::size_t style = c.index("storage", "path_style");
    if (!sigv4::validate_bucket(s.bucket, sigv4::addressing_style::virtual_hosted)) {
      return c.error(
          c.blame(style, bucket),
          std::string("with path_style = false the bucket name becomes part of the host name and "
                      "cannot contain '.'; bucket ") +
              show(s.bucket) + " (path_style: " + c.set_at(style) + ")");
    }
    for (const std::string* url : {&s.endpoint, &s.public_endpoint}) {
      auto parsed = sigv4::parse_endpoint(*url);
      if (parsed && is_ip_literal(parsed->host)) {
        const std::size_t key =
            c.index("storage", url == &s.endpoint ? "endpoint" : "public_endpoint");
        return c.error(
            c.blame(style, key),
            std::string("with path_style = false the endpoint needs a DNS name (the bucket is "
                        "prefixed to it), got the IP address ") +
                show(parsed->host));
      }
    }
  }
  return {};
}

result<void> check_uploads(const checker& c, const uploads_section& u) {
  const std::size_t part = c.index("uploads", "part_size");
  const std::size_t threshold = c.index("uploads", "multipart_threshold");
  const std::size_t max_size = c.index("uploads", "max_size");
  if (u.multipart_threshold < u.part_size) {
    return c.error(c.blame(part, threshold),
                   std::string("multipart_threshold (") + format_size(u.multipart_threshold) +
                       std::string(") must be at least part_size (") + format_size(u.part_size) +
                       "): a file that goes multipart must fill at least one part");
  }
  const std::uint64_t parts = u.max_size / u.part_size + (u.max_size % u.part_size != 0 ? 1 : 0);
  if (parts > max_parts) {
    return c.error(c.blame(part, max_size),
                   std::string("a max_size (") + format_size(u.max_size) +
                       std::string(") upload would need ") + std::to_string(parts) +
                       std::string(" parts of part_size (") + format_size(u.part_size) +
                       "); S3 allows at most 10000 parts");
  }
  return {};
}

}  // namespace

std::string where(const origin& from, std::string_view source) {
  switch (from.from) {
    case origin::layer::file:
      return std::string(source) + ":" + std::to_string(from.line);
    case origin::layer::environment:
      return "environment variable " + from.variable;
    case origin::layer::defaults:
      break;
  }
  return std::string(source);
}

config_error key_error(const origin& from, std::string_view source, const key_spec& key,
                       std::string_view what) {
  return {where(from, source) + ": " + key_label(key) + ": " + std::string(what)};
}

result<void> validate(const onehop_config& config, const provenance& origins,
                      std::string_view source) {
  const checker c{origins, source};
  if (auto r = pair(c, "store", "access_key", "secret_key", !config.store.access_key.empty(),
                    !config.store.secret_key.empty());
      !r) {
    return r;
  }
  if (auto r = check_storage(c, config.storage); !r) {
    return r;
  }
  return check_uploads(c, config.uploads);
}

}  // namespace onehop::config
