#include "api/policy.hpp"

#include <algorithm>
#include <string>

#include "sigv4/crypto.hpp"

namespace onehop::api {
namespace {

bool segment_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// [A-Za-z0-9._-]{1,64}, not "." or "..".
bool safe_segment(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_segment_length || s == "." || s == "..") {
    return false;
  }
  return std::all_of(s.begin(), s.end(), segment_char);
}

bool valid_prefix(std::string_view prefix) noexcept {
  if (prefix.empty()) {
    return false;
  }
  while (true) {
    const auto slash = prefix.find('/');
    if (!safe_segment(prefix.substr(0, slash))) {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    prefix.remove_prefix(slash + 1);
  }
}

bool verifiable(std::string_view type) noexcept {
  return std::find(std::begin(verifiable_types), std::end(verifiable_types), type) !=
         std::end(verifiable_types);
}

api_error bad_setting(std::string message) {
  return make_error(errc::invalid_request, "upload policy: " + std::move(message));
}

// Untrusted text quoted in an error message: bounded, and printable ASCII only.
std::string quoted(std::string_view s) {
  constexpr std::size_t cap = 100;
  std::string out;
  for (const char c : s.substr(0, cap)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > cap) {
    out += "...";
  }
  return out;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) noexcept {
  return a / b + (a % b != 0);
}

}  // namespace

result<void> validate(const upload_policy& p) {
  if (p.allowed_types.empty()) {
    return bad_setting("allowed_types is empty: no upload could ever be accepted");
  }
  for (std::size_t i = 0; i < p.allowed_types.size(); ++i) {
    const std::string& t = p.allowed_types[i];
    if (!verifiable(t)) {
      return bad_setting("allowed_types: \"" + quoted(t) +
                         "\" cannot be verified on completion; supported: image/jpeg, "
                         "image/png, image/gif, image/webp, image/avif");
    }
    if (std::find(p.allowed_types.begin(), p.allowed_types.begin() + static_cast<long>(i), t) !=
        p.allowed_types.begin() + static_cast<long>(i)) {
      return bad_setting("allowed_types: \"" + t + "\" is listed twice");
    }
  }
  if (p.max_size == 0 || p.max_size > s3_max_object_size) {
    return bad_setting("max_size must be 1 to 5497558138880 (5 TiB) bytes, got " +
                       std::to_string(p.max_size));
  }
  if (p.multipart_threshold == 0 || p.multipart_threshold > s3_max_part_size) {
    return bad_setting(
        "multipart_threshold must be 1 to 5368709120 (5 GiB, the largest single PUT) bytes, got " +
        std::to_string(p.multipart_threshold));
  }
  if (p.part_size < s3_min_part_size || p.part_size > s3_max_part_size) {
    return bad_setting("part_size must be 5242880 (5 MiB) to 5368709120 (5 GiB) bytes, got " +
                       std::to_string(p.part_size));
  }
  if (p.max_size > p.multipart_threshold && ceil_div(p.max_size, p.part_size) > s3_max_part_count) {
    return bad_setting("max_size " + std::to_string(p.max_size) +
                       " needs more than 10000 parts of " + std::to_string(p.part_size) +
                       " bytes: raise part_size to at least " +
                       std::to_string(ceil_div(p.max_size, s3_max_part_count)));
  }
  if (p.pending_lifetime.count() < 1 || p.pending_lifetime > max_presign_lifetime) {
    return bad_setting(
        "pending_lifetime must be 1 to 604800 seconds (7 days, the SigV4 limit), "
        "got " +
        std::to_string(p.pending_lifetime.count()));
  }
  if (!valid_prefix(p.prefix)) {
    return bad_setting("prefix \"" + quoted(p.prefix) +
                       "\" must be segments of [A-Za-z0-9._-]{1,64} joined by '/', none \".\" or "
                       "\"..\", without a leading or trailing '/'");
  }
  return {};
}

std::string_view user_segment(std::string_view user, std::string& scratch) {
  if (safe_segment(user) && !user.starts_with("h-")) {
    return user;
  }
  // 128 bits of SHA-256: collisions between user names would need ~2^64 names.
  const sigv4::sha256_digest digest = sigv4::sha256(user);
  scratch.assign(2 + 32, '\0');
  scratch[0] = 'h';
  scratch[1] = '-';
  sigv4::hex_encode(std::span<const std::uint8_t>(digest.data(), 16), scratch.data() + 2);
  return scratch;
}

void make_key(std::string& out, std::string_view prefix, std::string_view segment,
              std::string_view name, std::string_view ext) {
  out.clear();
  out.reserve(prefix.size() + segment.size() + name.size() + ext.size() + 3);
  out.append(prefix).append(1, '/').append(segment).append(1, '/').append(name);
  out.append(1, '.').append(ext);
}

bool key_belongs_to(std::string_view key, std::string_view prefix,
                    std::string_view segment) noexcept {
  if (prefix.empty() || segment.empty() || !key.starts_with(prefix)) {
    return false;
  }
  key.remove_prefix(prefix.size());
  if (!key.starts_with('/')) {
    return false;
  }
  key.remove_prefix(1);
  if (!key.starts_with(segment)) {
    return false;
  }
  key.remove_prefix(segment.size());
  if (!key.starts_with('/')) {
    return false;
  }
  key.remove_prefix(1);
  if (key.empty() || key == "." || key == "..") {
    return false;
  }
  return std::none_of(key.begin(), key.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
  });
}

result<upload_plan> plan_upload(const upload_policy& p, std::string_view content_type,
                                std::uint64_t size, bool has_sha256, std::string_view method) {
  upload_plan plan;
  if (method.empty()) {
    plan.method = p.default_post ? upload_method::post : upload_method::put;
  } else if (method == "PUT") {
    plan.method = upload_method::put;
  } else if (method == "POST") {
    plan.method = upload_method::post;
  } else {
    return make_error(errc::invalid_request, "method \"" + quoted(method) +
                                                 "\" is not supported; use \"PUT\" or \"POST\"");
  }
  if (std::find(p.allowed_types.begin(), p.allowed_types.end(), content_type) ==
      p.allowed_types.end()) {
    std::string message = "content type " + quoted(content_type) + " is not allowed; allowed: ";
    for (std::size_t i = 0; i < p.allowed_types.size(); ++i) {
      message += i == 0 ? "" : ", ";
      message += p.allowed_types[i];
    }
    return make_error(errc::unsupported_type, std::move(message));
  }
  if (size == 0) {
    return make_error(errc::invalid_request, "size must be at least 1 byte");
  }
  if (size > p.max_size) {
    return make_error(errc::too_large, "size " + std::to_string(size) +
                                           " bytes is above the limit of " +
                                           std::to_string(p.max_size) + " bytes");
  }
  if (p.checksum_required && !has_sha256) {
    return make_error(errc::invalid_request, "sha256 is required: declare the file's SHA-256");
  }
  if (size > p.multipart_threshold) {
    if (p.part_size == 0 || ceil_div(size, p.part_size) > s3_max_part_count) {
      // validate() refuses such a policy at start-up.
      return make_error(errc::internal, "upload policy allows sizes that need over 10000 parts");
    }
    plan.method = upload_method::multipart;
    plan.part_size = p.part_size;
    plan.part_count = static_cast<unsigned>(ceil_div(size, p.part_size));
  }
  return plan;
}

}  // namespace onehop::api
