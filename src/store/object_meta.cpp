#include "store/object_meta.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <cstring>
#include <limits>

#include "store/fs.hpp"

namespace onehop::store {

namespace json = boost::json;

namespace {

std::uint32_t crc32_of(std::string_view data) noexcept {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; metadata is capped far below 4 GiB.
  crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  return static_cast<std::uint32_t>(crc);
}

void put_le(char* out, std::uint64_t v, int bytes) noexcept {
  for (int i = 0; i < bytes; ++i) {
    out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

std::uint64_t get_le(const char* in, int bytes) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  return v;
}

json::array encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json::array out;
  out.reserve(pairs.size());
  for (const auto& [name, value] : pairs) {
    out.push_back(json::array{json::string(name), json::string(value)});
  }
  return out;
}

// Non-throwing field access: a stored file is untrusted input.
bool get_string(const json::object& o, std::string_view name, std::string& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    out.clear();
    return true;
  }
  const json::string* s = v->if_string();
  if (s == nullptr) {
    return false;
  }
  out.assign(s->data(), s->size());
  return true;
}

bool get_uint(const json::object& o, std::string_view name, std::uint64_t& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    return false;
  }
  if (const auto* u = v->if_uint64()) {
    out = *u;
    return true;
  }
  if (const auto* i = v->if_int64(); i != nullptr && *i >= 0) {
    out = static_cast<std::uint64_t>(*i);
    return true;
  }
  return false;
}

bool get_pairs(const json::object& o, std::string_view name,
               std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    return true;
  }
  const json::array* a = v->if_array();
  if (a == nullptr) {
    return false;
  }
  for (const json::value& item : *a) {
    const json::array* pair = item.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() ||
        !(*pair)[1].is_string()) {
      return false;
    }
    const json::string& n = (*pair)[0].get_string();
    const json::string& val = (*pair)[1].get_string();
    out.emplace_back(std::string(n.data(), n.size()), std::string(val.data(), val.size()));
  }
  return true;
}

}  // namespace

std::size_t user_metadata_bytes(const object_headers& h) noexcept {
  std::size_t n = 0;
  for (const auto& [name, value] : h.user_metadata) {
    n += name.size() + value.size();
  }
  return n;
}

std::string encode_meta(const object_meta& meta) {
  json::object o;
  o["v"] = 1;
  o["key"] = meta.key;
  o["size"] = meta.size;
  o["etag"] = meta.etag;
  o["mtime"] = meta.last_modified.time_since_epoch().count();
  const object_headers& h = meta.headers;
  // Empty headers are left out to keep the common record small.
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"ct", &h.content_type},     {"cd", &h.content_disposition}, {"cc", &h.cache_control},
      {"ce", &h.content_encoding}, {"cl", &h.content_language},    {"ex", &h.expires},
  };
  for (const auto& [name, value] : fields) {
    if (!value->empty()) {
      o[name] = *value;
    }
  }
  if (!h.user_metadata.empty()) {
    o["um"] = encode_pairs(h.user_metadata);
  }
  if (!h.checksums.empty()) {
    o["ck"] = encode_pairs(h.checksums);
  }
  if (meta.parts_count != 0) {
    o["parts"] = meta.parts_count;
  }
  return json::serialize(o);
}

result<object_meta> decode_meta(std::string_view text) {
  if (text.size() > max_meta_bytes) {
    return errc::internal;
  }
  json::parse_options opts;
  opts.max_depth = 4;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, json::storage_ptr(), opts);
  if (ec) {
    return errc::internal;
  }
  const json::object* o = v.if_object();
  if (o == nullptr) {
    return errc::internal;
  }
  object_meta meta;
  std::uint64_t version = 0;
  std::uint64_t mtime = 0;
  std::uint64_t parts = 0;
  if (!get_uint(*o, "v", version) || version != 1 || !get_string(*o, "key", meta.key) ||
      !get_uint(*o, "size", meta.size) || !get_string(*o, "etag", meta.etag) ||
      !get_uint(*o, "mtime", mtime) ||
      mtime > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return errc::internal;
  }
  meta.last_modified = timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(mtime)));
  object_headers& h = meta.headers;
  if (!get_string(*o, "ct", h.content_type) || !get_string(*o, "cd", h.content_disposition) ||
      !get_string(*o, "cc", h.cache_control) || !get_string(*o, "ce", h.content_encoding) ||
      !get_string(*o, "cl", h.content_language) || !get_string(*o, "ex", h.expires) ||
      !get_pairs(*o, "um", h.user_metadata) || !get_pairs(*o, "ck", h.checksums)) {
    return errc::internal;
  }
  if (o->contains("parts")) {
    if (!get_uint(*o, "parts", parts) || parts > std::numeric_limits<std::uint32_t>::max()) {
      return errc::internal;
    }
    meta.parts_count = static_cast<std::uint32_t>(parts);
  }
  return meta;
}

std::array<char, footer_size> make_footer(std::string_view meta_json, std::uint64_t data_size) {
  std::array<char, footer_size> out{};
  std::memcpy(out.data(), footer_magic.data(), footer_magic.size());
  put_le(out.data() + 8, meta_json.size(), 4);
  put_le(out.data() + 12, crc32_of(meta_json), 4);
  put_le(out.data() + 16, data_size, 8);
  return out;
}

result<footer_fields> parse_footer(std::string_view footer, std::uint64_t file_size) {
  if (footer.size() != footer_size || footer.substr(0, 8) != footer_magic) {
    return errc::internal;
  }
  footer_fields f;
  f.meta_len = static_cast<std::uint32_t>(get_le(footer.data() + 8, 4));
  f.meta_crc = static_cast<std::uint32_t>(get_le(footer.data() + 12, 4));
  f.data_size = get_le(footer.data() + 16, 8);
  if (f.meta_len > max_meta_bytes || file_size < footer_size + f.meta_len ||
      f.data_size != file_size - footer_size - f.meta_len) {
    return errc::internal;
  }
  return f;
}

result<object_meta> read_meta(int fd, std::uint64_t file_size) {
  if (file_size < footer_size) {
    return errc::internal;
  }
  char footer[footer_size];
  if (!pread_exact(fd, footer, footer_size, file_size - footer_size)) {
    return errc::internal;
  }
  auto f = parse_footer(std::string_view(footer, footer_size), file_size);
  if (!f) {
    return f.error();
  }
  std::string text(f->meta_len, '\0');
  if (!pread_exact(fd, text.data(), text.size(), f->data_size)) {
    return errc::internal;
  }
  if (crc32_of(text) != f->meta_crc) {
    return errc::internal;
  }
  auto meta = decode_meta(text);
  if (!meta) {
    return meta.error();
  }
  if (meta->size != f->data_size) {
    return errc::internal;
  }
  return meta;
}

result<object_meta> read_meta(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return errc::internal;
  }
  return read_meta(fd, static_cast<std::uint64_t>(st.st_size));
}

}  // namespace onehop::store
