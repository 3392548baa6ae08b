#include "api/requests.hpp"

#include <algorithm>
#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <initializer_list>
#include <span>

#include "sigv4/checksum.hpp"
#include "sigv4/utf8.hpp"

namespace onehop::api {
namespace {

namespace json = boost::json;

api_error invalid(std::string message) {
  return make_error(errc::invalid_request, std::move(message));
}

api_error too_large_body(std::size_t size) {
  return make_error(errc::too_large, "request body is " + std::to_string(size) +
                                         " bytes; the limit is " +
                                         std::to_string(max_request_body));
}

// Names quoted in messages are the client's own bytes: shown shortened, and the error writer
// escapes them.
std::string quoted(std::string_view s) {
  constexpr std::size_t shown = 40;
  std::string q = "\"";
  q.append(s.substr(0, shown));
  if (s.size() > shown) {
    q.append("...");
  }
  q.push_back('"');
  return q;
}

// The handler's way to stop the parse: any error code will do, the message is what counts.
bool stop(json::error_code& ec) {
  ec.assign(EINVAL, boost::system::generic_category());
  return false;
}

// ---------------------------------------------------------------------------------------------
// Field checks shared by the SAX and DOM parsers.

std::string code_point_name(char32_t cp) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string name = "U+";
  for (int shift = 12; shift >= 0; shift -= 4) {
    name.push_back(digits[(cp >> shift) & 0xF]);
  }
  return name;
}

result<void> check_filename(std::string_view name) {
  if (name.empty()) {
    return invalid("filename must not be empty");
  }
  if (name.size() > max_filename_bytes) {
    return invalid("filename is " + std::to_string(name.size()) + " bytes; at most " +
                   std::to_string(max_filename_bytes) + " are allowed");
  }
  if (name == "." || name == "..") {
    return invalid("filename must not be \".\" or \"..\"");
  }
  for (std::size_t i = 0; i < name.size();) {
    const int len = sigv4::utf8_sequence(name, i);
    if (len < 0) {
      return invalid("filename is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    }
    const char32_t cp = sigv4::utf8_code_point(name, i, len);
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return invalid("filename must not contain control characters (" + code_point_name(cp) +
                     " at byte " + std::to_string(i) + ")");
    }
    if (cp == '/' || cp == '\\') {
      return invalid(std::string("filename must not contain '") + static_cast<char>(cp) +
                     "' (a path is not a name)");
    }
    i += static_cast<std::size_t>(len);
  }
  return {};
}

// RFC 9110 token characters.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Lower-cases `type` in place, then checks it is `token/token`.
result<void> normalize_content_type(std::string& type) {
  if (type.empty()) {
    return invalid("contentType must not be empty");
  }
  if (type.size() > max_content_type_bytes) {
    return invalid("contentType is " + std::to_string(type.size()) + " bytes; at most " +
                   std::to_string(max_content_type_bytes) + " are allowed");
  }
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (type.find(';') != std::string::npos) {
    return invalid("contentType must not have parameters (image types take none): send \"" +
                   type.substr(0, std::min<std::size_t>(type.find(';'), 40)) + "\" alone");
  }
  const std::size_t slash = type.find('/');
  const std::string_view whole = type;
  const bool shape_ok =
      slash != std::string::npos && slash > 0 && slash + 1 < type.size() &&
      std::all_of(whole.begin(), whole.begin() + static_cast<long>(slash), is_tchar) &&
      std::all_of(whole.begin() + static_cast<long>(slash) + 1, whole.end(), is_tchar);
  if (!shape_ok) {
    return invalid("contentType " + quoted(type) + " is not a media type like image/png");
  }
  return {};
}

// The 32 bytes of SHA-256 written as 44 base64 characters into `out` (no allocation when `out`
// has the capacity).
void put_base64(std::span<const std::uint8_t> bytes, std::string& out) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.clear();
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (bytes.size() - i == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (bytes.size() - i == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

constexpr std::size_t sha256_hex_chars = 64;
constexpr std::size_t sha256_base64_chars = 44;

result<void> normalize_sha256(std::string_view text, std::string& out) {
  std::array<std::uint8_t, 32> digest{};
  if (text.size() == sha256_hex_chars) {
    for (std::size_t i = 0; i < digest.size(); ++i) {
      const int hi = hex_value(text[2 * i]);
      const int lo = hex_value(text[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        return invalid("sha256 has 64 characters but they are not all hex digits");
      }
      digest[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    put_base64(digest, out);
    return {};
  }
  if (text.size() == sha256_base64_chars) {
    const auto decoded = sigv4::parse_checksum_base64(sigv4::checksum_algorithm::sha256, text);
    if (!decoded) {
      return invalid("sha256 has 44 characters but is not canonical padded base64 of 32 bytes");
    }
    put_base64(decoded->digest(), out);
    return {};
  }
  return invalid("sha256 must be 44 base64 characters or 64 hex digits (it has " +
                 std::to_string(text.size()) + ")");
}

// 1..64 of A-Z a-z 0-9 . _ -, not starting with a dot.
result<void> check_user(std::string_view user) {
  if (user.empty() || user.size() > max_user_bytes) {
    return invalid("user must be 1 to " + std::to_string(max_user_bytes) + " bytes");
  }
  const bool chars_ok = std::all_of(user.begin(), user.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
  if (!chars_ok || user.front() == '.') {
    return invalid("user " + quoted(user) +
                   " must be letters, digits, '.', '_' or '-', not starting with '.'");
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// POST /api/uploads: a SAX handler writing straight into the caller's upload_request.

enum class upload_field : std::uint8_t { none, filename, content_type, size, sha256, method };

constexpr std::string_view json_name(upload_field f) {
  switch (f) {
    case upload_field::filename:
      return "filename";
    case upload_field::content_type:
      return "contentType";
    case upload_field::size:
      return "size";
    case upload_field::sha256:
      return "sha256";
    case upload_field::method:
      return "method";
    case upload_field::none:
      break;
  }
  return "";
}

constexpr unsigned bit(upload_field f) {
  return 1U << static_cast<unsigned>(f);
}

class upload_handler {
 public:
  // The parser's own limits stay open: the body cap bounds everything, and exceeding one of
  // these would give a vaguer message than the handler's.
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  void start(upload_request& out) {
    out_ = &out;
    out.filename.clear();
    out.content_type.clear();
    out.size = 0;
    out.sha256.clear();
    out.method.clear();
    seen_ = 0;
    depth_ = 0;
    field_ = upload_field::none;
    key_len_ = 0;
    small_len_ = 0;
    message_.clear();
  }

  bool has(upload_field f) const { return (seen_ & bit(f)) != 0; }
  std::string& message() { return message_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code& ec) {
    if (depth_ != 0) {
      return wrong_type(ec);
    }
    depth_ = 1;
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    depth_ = 0;
    return true;
  }
  bool on_array_begin(json::error_code& ec) { return wrong_type(ec); }
  bool on_array_end(std::size_t, json::error_code&) { return true; }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    append_key(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    append_key(s);
    const std::string_view key(key_.data(), std::min(key_len_, key_.size()));
    field_ = upload_field::none;
    if (key_len_ <= key_.size()) {
      for (auto f : {upload_field::filename, upload_field::content_type, upload_field::size,
                     upload_field::sha256, upload_field::method}) {
        if (key == json_name(f)) {
          field_ = f;
        }
      }
    }
    key_len_ = 0;
    if (field_ == upload_field::none) {
      return fail(ec, "unknown field " + quoted(key) +
                          "; the fields are filename, contentType, size, sha256, method");
    }
    if (has(field_)) {
      return fail(ec, "duplicate field \"" + std::string(json_name(field_)) + "\"");
    }
    seen_ |= bit(field_);
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    return append_string(s, ec);
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (!append_string(s, ec)) {
      return false;
    }
    return finish_string(ec);
  }

  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (!expecting_size()) {
      return wrong_type(ec);
    }
    if (i < 0) {
      return fail(ec, "size must not be negative");
    }
    return set_size(static_cast<std::uint64_t>(i), ec);
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code& ec) {
    if (!expecting_size()) {
      return wrong_type(ec);
    }
    return set_size(u, ec);
  }
  bool on_double(double d, json::string_view s, json::error_code& ec) {
    if (!expecting_size()) {
      return wrong_type(ec);
    }
    if (d < 0 || (!s.empty() && s.front() == '-')) {
      return fail(ec, "size must not be negative");
    }
    if (std::string_view(s.data(), s.size()).find_first_of(".eE") != std::string_view::npos) {
      return fail(ec, "size must be an integer (no fraction or exponent)");
    }
    return fail(ec, size_limit_message());
  }
  bool on_bool(bool, json::error_code& ec) { return wrong_type(ec); }
  bool on_null(json::error_code& ec) { return wrong_type(ec); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  static std::string size_limit_message() {
    return "size must be at most 2^53 (" + std::to_string(max_declared_size) + ")";
  }

  bool fail(json::error_code& ec, std::string message) {
    message_ = std::move(message);
    return stop(ec);
  }

  bool wrong_type(json::error_code& ec) {
    if (depth_ == 0) {
      return fail(ec, "request body must be a JSON object");
    }
    const std::string_view expected = field_ == upload_field::size ? "an integer" : "a string";
    return fail(ec, std::string(json_name(field_)) + " must be " + std::string(expected));
  }

  bool expecting_size() const { return depth_ == 1 && field_ == upload_field::size; }

  bool set_size(std::uint64_t size, json::error_code& ec) {
    if (size == 0) {
      return fail(ec, "size must be at least 1");
    }
    if (size > max_declared_size) {
      return fail(ec, size_limit_message());
    }
    out_->size = size;
    return true;
  }

  void append_key(json::string_view s) {
    const std::size_t room = key_.size() - std::min(key_len_, key_.size());
    std::copy_n(s.data(), std::min(room, s.size()), key_.data() + std::min(key_len_, key_.size()));
    key_len_ += s.size();
  }

  bool append_string(json::string_view s, json::error_code& ec) {
    if (depth_ != 1) {
      return wrong_type(ec);
    }
    switch (field_) {
      case upload_field::filename:
        out_->filename.append(s.data(), s.size());
        return true;
      case upload_field::content_type:
        out_->content_type.append(s.data(), s.size());
        return true;
      case upload_field::sha256:
      case upload_field::method: {
        const std::size_t at = std::min(small_len_, small_.size());
        std::copy_n(s.data(), std::min(small_.size() - at, s.size()), small_.data() + at);
        small_len_ += s.size();
        return true;
      }
      case upload_field::size:
      case upload_field::none:
        break;
    }
    return wrong_type(ec);
  }

  bool finish_string(json::error_code& ec) {
    result<void> r;
    switch (field_) {
      case upload_field::filename:
        r = check_filename(out_->filename);
        break;
      case upload_field::content_type:
        r = normalize_content_type(out_->content_type);
        break;
      case upload_field::sha256:
        // A length past the buffer cannot be valid; normalize_sha256 reports the real length.
        r = small_len_ <= small_.size()
                ? normalize_sha256(std::string_view(small_.data(), small_len_), out_->sha256)
                : invalid("sha256 must be 44 base64 characters or 64 hex digits (it has " +
                          std::to_string(small_len_) + ")");
        break;
      case upload_field::method: {
        const std::string_view m(small_.data(), std::min(small_len_, small_.size()));
        if (small_len_ <= small_.size() && (m == "PUT" || m == "POST")) {
          out_->method.assign(m);
        } else {
          r = invalid("method must be \"PUT\" or \"POST\"");
        }
        break;
      }
      case upload_field::size:
      case upload_field::none:
        break;
    }
    small_len_ = 0;
    if (!r) {
      return fail(ec, std::move(r.error().message));
    }
    return true;
  }

  upload_request* out_ = nullptr;
  unsigned seen_ = 0;
  int depth_ = 0;
  upload_field field_ = upload_field::none;
  // Known keys are short: a longer one is unknown whatever it says, so only a prefix is kept.
  std::array<char, 48> key_{};
  std::size_t key_len_ = 0;
  // sha256 and method are normalized from here; longer values are invalid anyway.
  std::array<char, 72> small_{};
  std::size_t small_len_ = 0;
  std::string message_;
};

result<void> check_size_cap(std::string_view body) {
  if (body.size() > max_request_body) {
    return too_large_body(body.size());
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid("request body is empty; expected a JSON object");
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// The other bodies: a DOM, after a SAX pass that refuses duplicate keys (the DOM would keep one
// of them silently).

class duplicate_key_handler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  std::string message;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    auto& seen = keys_.back();
    if (std::find(seen.begin(), seen.end(), key_) != seen.end()) {
      message = "duplicate field " + quoted(key_);
      return stop(ec);
    }
    seen.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::vector<std::string>> keys_;
  std::string key_;
};

result<json::object> parse_object(std::string_view body) {
  if (auto r = check_size_cap(body); !r) {
    return r.error();
  }
  json::basic_parser<duplicate_key_handler> checker{json::parse_options{}};
  json::error_code ec;
  const std::size_t n = checker.write_some(false, body.data(), body.size(), ec);
  if (ec) {
    if (!checker.handler().message.empty()) {
      return invalid(std::move(checker.handler().message));
    }
    return invalid("malformed JSON: " + ec.message());
  }
  if (n != body.size()) {
    return invalid("unexpected data after the JSON value (at byte " + std::to_string(n) + ")");
  }
  json::value doc = json::parse(body, ec);
  if (ec) {
    return invalid("malformed JSON: " + ec.message());  // unreachable: the checker parsed it
  }
  if (!doc.is_object()) {
    return invalid("request body must be a JSON object");
  }
  return std::move(doc.as_object());
}

result<void> only_fields(const json::object& obj, std::initializer_list<std::string_view> known,
                         std::string_view where) {
  for (const auto& kv : obj) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) {
        list.append(list.empty() ? "" : ", ").append(k);
      }
      return invalid("unknown field " + quoted(key) + (where.empty() ? "" : " in ") +
                     std::string(where) + "; the fields are " + list);
    }
  }
  return {};
}

result<unsigned> part_number(const json::value& v, const std::string& what) {
  const std::string range = " must be an integer 1.." + std::to_string(max_part_number);
  if (v.is_int64() && v.get_int64() >= 1 && v.get_int64() <= max_part_number) {
    return static_cast<unsigned>(v.get_int64());
  }
  if (v.is_double()) {
    return invalid(what + range + " (no fraction or exponent)");
  }
  if (v.is_int64() || v.is_uint64()) {
    return invalid(what + range + " (it is " + json::serialize(v) + ")");
  }
  return invalid(what + range);
}

}  // namespace

result<void> parse_upload_request(std::string_view body, upload_request& out) {
  if (auto r = check_size_cap(body); !r) {
    return r.error();
  }
  // One parser per thread, reset per request: its internal buffers are kept.
  thread_local json::basic_parser<upload_handler> parser{json::parse_options{}};
  parser.reset();
  upload_handler& h = parser.handler();
  h.start(out);
  json::error_code ec;
  const std::size_t n = parser.write_some(false, body.data(), body.size(), ec);
  if (ec) {
    if (!h.message().empty()) {
      return invalid(std::move(h.message()));
    }
    return invalid("malformed JSON: " + ec.message());
  }
  if (n != body.size()) {
    return invalid("unexpected data after the JSON object (at byte " + std::to_string(n) + ")");
  }
  for (auto f : {upload_field::filename, upload_field::content_type, upload_field::size}) {
    if (!h.has(f)) {
      return invalid("missing field \"" + std::string(json_name(f)) + "\"");
    }
  }
  return {};
}

result<parts_request> parse_parts_request(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) {
    return obj.error();
  }
  if (auto r = only_fields(*obj, {"partNumbers"}, ""); !r) {
    return r.error();
  }
  const json::value* numbers = obj->if_contains("partNumbers");
  if (numbers == nullptr) {
    return invalid("missing field \"partNumbers\"");
  }
  if (!numbers->is_array()) {
    return invalid("partNumbers must be an array of integers");
  }
  const json::array& list = numbers->get_array();
  if (list.empty()) {
    return invalid("partNumbers must not be empty");
  }
  if (list.size() > max_parts_per_request) {
    return invalid("partNumbers has " + std::to_string(list.size()) + " entries; at most " +
                   std::to_string(max_parts_per_request) + " per request");
  }
  parts_request out;
  out.part_numbers.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto n = part_number(list[i], "partNumbers[" + std::to_string(i) + "]");
    if (!n) {
      return n.error();
    }
    if (std::find(out.part_numbers.begin(), out.part_numbers.end(), *n) != out.part_numbers.end()) {
      return invalid("partNumbers lists part " + std::to_string(*n) + " twice");
    }
    out.part_numbers.push_back(*n);
  }
  return out;
}

result<complete_request> parse_complete_request(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) {
    return obj.error();
  }
  if (auto r = only_fields(*obj, {"parts"}, ""); !r) {
    return r.error();
  }
  complete_request out;
  const json::value* parts = obj->if_contains("parts");
  if (parts == nullptr) {
    return out;
  }
  if (!parts->is_array()) {
    return invalid("parts must be an array of {\"partNumber\", \"etag\"} objects");
  }
  const json::array& list = parts->get_array();
  if (list.size() > max_part_number) {
    return invalid("parts has " + std::to_string(list.size()) + " entries; at most " +
                   std::to_string(max_part_number));
  }
  out.parts.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "parts[" + std::to_string(i) + "]";
    if (!list[i].is_object()) {
      return invalid(where + " must be an object {\"partNumber\", \"etag\"}");
    }
    const json::object& part = list[i].get_object();
    if (auto r = only_fields(part, {"partNumber", "etag"}, where); !r) {
      return r.error();
    }
    const json::value* number = part.if_contains("partNumber");
    const json::value* etag = part.if_contains("etag");
    if (number == nullptr) {
      return invalid(where + " is missing \"partNumber\"");
    }
    if (etag == nullptr) {
      return invalid(where + " is missing \"etag\"");
    }
    auto n = part_number(*number, where + ".partNumber");
    if (!n) {
      return n.error();
    }
    if (!etag->is_string()) {
      return invalid(where + ".etag must be a string");
    }
    const std::string_view tag(etag->get_string().data(), etag->get_string().size());
    const bool visible = std::all_of(tag.begin(), tag.end(), [](char c) {
      return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
    });
    if (tag.empty() || tag.size() > max_etag_bytes || !visible) {
      return invalid(where + ".etag must be 1 to " + std::to_string(max_etag_bytes) +
                     " visible ASCII characters");
    }
    out.parts.push_back({*n, std::string(tag)});
  }
  std::sort(out.parts.begin(), out.parts.end(), [](const complete_part& a, const complete_part& b) {
    return a.part_number < b.part_number;
  });
  for (std::size_t i = 1; i < out.parts.size(); ++i) {
    if (out.parts[i].part_number == out.parts[i - 1].part_number) {
      return invalid("parts lists part " + std::to_string(out.parts[i].part_number) + " twice");
    }
  }
  return out;
}

result<dev_token_request> parse_dev_token_request(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) {
    return obj.error();
  }
  if (auto r = only_fields(*obj, {"user"}, ""); !r) {
    return r.error();
  }
  const json::value* user = obj->if_contains("user");
  if (user == nullptr) {
    return invalid("missing field \"user\"");
  }
  if (!user->is_string()) {
    return invalid("user must be a string");
  }
  dev_token_request out;
  out.user.assign(user->get_string().data(), user->get_string().size());
  if (auto r = check_user(out.user); !r) {
    return r.error();
  }
  return out;
}

}  // namespace onehop::api
