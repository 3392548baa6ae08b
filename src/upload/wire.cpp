#include "upload/wire.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>

#include "s3client/xml.hpp"

namespace onehop::upload {

namespace json = boost::json;

namespace {

// How much of an unrecognised error body a reason quotes.
constexpr std::size_t quoted_body_bytes = 200;

wire_error missing(std::string_view document, std::string_view field) {
  return {std::string(document) + ": missing or invalid \"" + std::string(field) + "\""};
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::optional<std::string> string_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<std::uint64_t> uint_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v) {
    return std::nullopt;
  }
  if (v->is_uint64()) {
    return v->as_uint64();
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    return static_cast<std::uint64_t>(v->as_int64());
  }
  return std::nullopt;
}

// A JSON object of string values, in document order; absent is empty.
std::optional<header_list> string_map(const json::object& o, std::string_view name) {
  header_list out;
  const auto* v = o.if_contains(name);
  if (!v) {
    return out;
  }
  if (!v->is_object()) {
    return std::nullopt;
  }
  for (const auto& [k, value] : v->as_object()) {
    if (!value.is_string()) {
      return std::nullopt;
    }
    out.emplace_back(std::string(k), std::string(value.as_string()));
  }
  return out;
}

}  // namespace

std::string render_create_request(std::string_view filename, std::string_view content_type,
                                  std::uint64_t size, std::string_view sha256_base64) {
  json::object o;
  o["filename"] = filename;
  o["contentType"] = content_type;
  o["size"] = size;
  if (!sha256_base64.empty()) {
    o["sha256"] = sha256_base64;
  }
  return json::serialize(o);
}

std::string render_parts_request(const std::vector<std::uint32_t>& part_numbers) {
  json::array numbers;
  for (auto n : part_numbers) {
    numbers.emplace_back(n);
  }
  json::object o;
  o["partNumbers"] = std::move(numbers);
  return json::serialize(o);
}

std::string render_complete_request(const std::vector<completed_part>& parts) {
  json::object o;
  if (!parts.empty()) {
    json::array list;
    for (const auto& p : parts) {
      json::object entry;
      entry["partNumber"] = p.part_number;
      entry["etag"] = p.etag;
      list.emplace_back(std::move(entry));
    }
    o["parts"] = std::move(list);
  }
  return json::serialize(o);
}

wire_result<create_answer> parse_create_answer(std::string_view body) {
  constexpr std::string_view doc = "upload answer";
  auto o = parse_object(body);
  if (!o) {
    return wire_error{"upload answer: not a JSON object"};
  }
  create_answer a;
  auto id = string_field(*o, "uploadId");
  if (!id || id->empty()) {
    return missing(doc, "uploadId");
  }
  a.upload_id = std::move(*id);
  a.key = string_field(*o, "key").value_or("");
  auto method = string_field(*o, "method");
  if (!method) {
    return missing(doc, "method");
  }
  if (*method == "PUT" || *method == "POST") {
    a.method = *method == "PUT" ? upload_method::put : upload_method::post;
    auto url = string_field(*o, "url");
    if (!url || url->empty()) {
      return missing(doc, "url");
    }
    a.url = std::move(*url);
    auto headers = string_map(*o, "headers");
    if (!headers) {
      return missing(doc, "headers");
    }
    a.headers = std::move(*headers);
    auto fields = string_map(*o, "fields");
    if (!fields || (a.method == upload_method::post && fields->empty())) {
      return missing(doc, "fields");
    }
    a.fields = std::move(*fields);
    return a;
  }
  if (*method != "MULTIPART") {
    return wire_error{"upload answer: unknown method \"" + *method + "\""};
  }
  a.method = upload_method::multipart;
  const auto* mp = o->if_contains("multipart");
  if (!mp || !mp->is_object()) {
    return missing(doc, "multipart");
  }
  auto part_size = uint_field(mp->as_object(), "partSize");
  auto part_count = uint_field(mp->as_object(), "partCount");
  if (!part_size || *part_size == 0) {
    return missing(doc, "multipart.partSize");
  }
  if (!part_count || *part_count == 0 || *part_count > 10000) {
    return missing(doc, "multipart.partCount");
  }
  a.part_size = *part_size;
  a.part_count = static_cast<std::uint32_t>(*part_count);
  return a;
}

wire_result<std::vector<part_url>> parse_parts_answer(std::string_view body) {
  constexpr std::string_view doc = "parts answer";
  auto o = parse_object(body);
  if (!o) {
    return wire_error{"parts answer: not a JSON object"};
  }
  const auto* parts = o->if_contains("parts");
  if (!parts || !parts->is_array()) {
    return missing(doc, "parts");
  }
  std::vector<part_url> out;
  for (const auto& entry : parts->as_array()) {
    if (!entry.is_object()) {
      return missing(doc, "parts[]");
    }
    const auto& e = entry.as_object();
    part_url p;
    auto number = uint_field(e, "partNumber");
    if (!number || *number == 0 || *number > 10000) {
      return missing(doc, "partNumber");
    }
    p.part_number = static_cast<std::uint32_t>(*number);
    auto url = string_field(e, "url");
    if (!url || url->empty()) {
      return missing(doc, "url");
    }
    p.url = std::move(*url);
    auto headers = string_map(e, "headers");
    if (!headers) {
      return missing(doc, "headers");
    }
    p.headers = std::move(*headers);
    out.push_back(std::move(p));
  }
  return out;
}

wire_result<std::string> parse_complete_answer(std::string_view body) {
  auto o = parse_object(body);
  if (!o) {
    return wire_error{"complete answer: not a JSON object"};
  }
  const auto* image = o->if_contains("image");
  if (!image || !image->is_object()) {
    return missing("complete answer", "image");
  }
  auto id = string_field(image->as_object(), "id");
  if (!id) {
    return missing("complete answer", "image.id");
  }
  // In place: a string would also convert to wire_error, and g++ calls that ambiguous.
  return wire_result<std::string>(boost::system::in_place_value, std::move(*id));
}

std::string failure_reason(unsigned status, std::string_view body) {
  if (auto o = parse_object(body)) {
    const auto* e = o->if_contains("error");
    if (e && e->is_object()) {
      auto code = string_field(e->as_object(), "code").value_or("");
      auto message = string_field(e->as_object(), "message").value_or("");
      if (!message.empty() || !code.empty()) {
        return message.empty() ? code : message + (code.empty() ? "" : " (" + code + ")");
      }
    }
  }
  if (auto x = s3client::xml::parse_error(body); x && !x->code.empty()) {
    std::string out = "storage: " + x->code;
    if (!x->message.empty()) {
      out += ": " + x->message;
    }
    return out;
  }
  std::string out = "HTTP " + std::to_string(status);
  if (!body.empty()) {
    std::string quoted(body.substr(0, quoted_body_bytes));
    for (char& c : quoted) {
      if (static_cast<unsigned char>(c) < 0x20) {
        c = ' ';
      }
    }
    out += ": " + quoted;
  }
  return out;
}

std::string encode_path_segment(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

}  // namespace onehop::upload
