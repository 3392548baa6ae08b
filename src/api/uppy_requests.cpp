#include "api/uppy_requests.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "sigv4/utf8.hpp"

namespace onehop::api {
namespace {

namespace json = boost::json;

api_error invalid(std::string message) {
  return make_error(errc::invalid_request, std::move(message));
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Length of the well-formed UTF-8 sequence at s[i], or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const int length = sigv4::utf8_sequence(s, i);
  return length > 0 ? static_cast<std::size_t>(length) : 0;
}

bool is_control(std::string_view s, std::size_t i, std::size_t len) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (len == 1)
    return b0 < 0x20 || b0 == 0x7F;
  // C1 controls U+0080..U+009F are C2 80..C2 9F.
  return len == 2 && b0 == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}

result<json::object> parse_object(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    return invalid("the body is not valid JSON");
  }
  if (!v.is_object()) {
    return invalid("the body must be a JSON object");
  }
  return std::move(v.as_object());
}

bool visible_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

}  // namespace

std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (text.size() - i < 3)
        return std::nullopt;
      const int hi = hex_digit(text[i + 1]);
      const int lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

result<std::optional<std::string>> uppy_query_param(std::string_view query, std::string_view name) {
  std::optional<std::string_view> raw;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      if (raw) {
        return invalid("the \"" + std::string(name) + "\" query parameter is repeated");
      }
      raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  if (!raw) {
    return std::optional<std::string>();
  }
  auto decoded = form_decode(*raw);
  if (!decoded) {
    return invalid("the \"" + std::string(name) + "\" query parameter is badly percent-encoded");
  }
  if (decoded->size() > max_uppy_query_value) {
    return invalid("the \"" + std::string(name) + "\" query parameter is longer than " +
                   std::to_string(max_uppy_query_value) + " bytes");
  }
  return std::optional<std::string>(std::move(*decoded));
}

result<uppy_create_request> parse_uppy_create(std::string_view body) {
  auto object = parse_object(body);
  if (!object) {
    return object.error();
  }
  const json::value* filename = object->if_contains("filename");
  if (filename == nullptr || !filename->is_string() || filename->as_string().empty()) {
    return invalid("the \"filename\" field is required and must be a non-empty string");
  }
  const json::value* type = object->if_contains("type");
  if (type == nullptr || !type->is_string()) {
    return invalid("the \"type\" field is required and must be a string");
  }
  uppy_create_request out;
  out.filename = std::string(filename->as_string());
  out.content_type = std::string(type->as_string());
  std::transform(
      out.content_type.begin(), out.content_type.end(), out.content_type.begin(),
      [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

result<std::string> uppy_filename(std::string_view name) {
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  if (name.empty() || name == "." || name == "..") {
    return invalid("filename: a file name is required (not empty, \".\" or \"..\")");
  }
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t len = utf8_length(name, i);
    if (len == 0) {
      return invalid("filename: not valid UTF-8");
    }
    if (is_control(name, i, len)) {
      return invalid("filename: control characters are not allowed");
    }
    i += len;
  }
  // Keep the end (the extension), from the first whole character that makes it fit.
  std::size_t keep_from = 0;
  while (name.size() - keep_from > max_filename_bytes) {
    keep_from += utf8_length(name, keep_from);
  }
  return std::string(name.substr(keep_from));
}

unsigned uppy_part_limit(std::uint64_t size) noexcept {
  const std::uint64_t parts = size / uppy_min_part_size + (size % uppy_min_part_size != 0 ? 1 : 0);
  return static_cast<unsigned>(std::clamp<std::uint64_t>(parts, 1, max_part_number));
}

result<unsigned> parse_part_number(std::string_view text, unsigned limit) {
  unsigned n = 0;
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return invalid("the part number must be a number between 1 and " + std::to_string(limit));
  }
  for (char c : text) {
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n < 1 || n > limit) {
    return invalid("the part number must be a number between 1 and " + std::to_string(limit));
  }
  return n;
}

result<std::vector<unsigned>> parse_part_numbers(std::string_view csv, unsigned limit) {
  std::vector<unsigned> out;
  while (true) {
    const auto comma = csv.find(',');
    auto n = parse_part_number(csv.substr(0, comma), limit);
    if (!n) {
      return invalid("partNumbers: each part number must be a number between 1 and " +
                     std::to_string(limit));
    }
    if (std::find(out.begin(), out.end(), *n) != out.end()) {
      return invalid("partNumbers: " + std::to_string(*n) + " is repeated");
    }
    if (out.size() == max_uppy_batch_parts) {
      return invalid("partNumbers: at most " + std::to_string(max_uppy_batch_parts) +
                     " part numbers per request");
    }
    out.push_back(*n);
    if (comma == std::string_view::npos)
      break;
    csv.remove_prefix(comma + 1);
  }
  return out;
}

result<std::vector<complete_part>> parse_uppy_complete(std::string_view body) {
  auto object = parse_object(body);
  if (!object) {
    return object.error();
  }
  std::vector<complete_part> out;
  const json::value* parts = object->if_contains("parts");
  if (parts == nullptr) {
    return out;
  }
  const auto shape_error = [] {
    return invalid("parts must be an array of {PartNumber, ETag} objects");
  };
  if (!parts->is_array()) {
    return shape_error();
  }
  if (parts->as_array().size() > max_part_number) {
    return invalid("parts: at most " + std::to_string(max_part_number) + " parts");
  }
  out.reserve(parts->as_array().size());
  for (const json::value& p : parts->as_array()) {
    if (!p.is_object()) {
      return shape_error();
    }
    const json::value* number = p.as_object().if_contains("PartNumber");
    const json::value* etag = p.as_object().if_contains("ETag");
    if (number == nullptr || etag == nullptr || !etag->is_string() ||
        !(number->is_int64() || number->is_uint64())) {
      return shape_error();
    }
    const bool in_range = number->is_int64()
                              ? number->as_int64() >= 1 && number->as_int64() <= max_part_number
                              : number->as_uint64() <= max_part_number;
    if (!in_range) {
      return invalid("parts: PartNumber must be between 1 and " + std::to_string(max_part_number));
    }
    const std::string_view tag = etag->as_string();
    if (tag.empty() || tag.size() > max_etag_bytes || !visible_ascii(tag)) {
      return invalid("parts: ETag must be 1 to " + std::to_string(max_etag_bytes) +
                     " visible ASCII characters");
    }
    const auto n = static_cast<unsigned>(
        number->is_int64() ? number->as_int64() : static_cast<std::int64_t>(number->as_uint64()));
    out.push_back({n, std::string(tag)});
  }
  std::sort(out.begin(), out.end(), [](const complete_part& a, const complete_part& b) {
    return a.part_number < b.part_number;
  });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].part_number == out[i - 1].part_number) {
      return invalid("parts: PartNumber " + std::to_string(out[i].part_number) + " is repeated");
    }
  }
  return out;
}

std::string quoted_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return std::string(etag);
  }
  std::string out;
  out.reserve(etag.size() + 2);
  out.push_back('"');
  out.append(etag);
  out.push_back('"');
  return out;
}

}  // namespace onehop::api
