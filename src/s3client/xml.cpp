#include "s3client/xml.hpp"

#include <array>
#include <charconv>
#include <pugixml.hpp>

#include "sigv4/encoding.hpp"
#include "sigv4/time.hpp"

namespace onehop::s3client::xml {

namespace {

s3_error bad(std::string message) {
  return s3_error{errc::protocol, 0, {}, std::move(message)};
}

bool load(pugi::xml_document& doc, std::string_view body) {
  if (body.size() > max_document_size) {
    return false;
  }
  return static_cast<bool>(
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8));
}

std::string_view text(const pugi::xml_node& parent, const char* name) {
  return parent.child(name).child_value();
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<unsigned> parse_uint(std::string_view s) {
  auto v = parse_u64(s);
  if (!v || *v > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<unsigned>(*v);
}

std::optional<std::chrono::sys_seconds> parse_time(std::string_view s) {
  auto t = sigv4::parse_iso8601(s);
  if (!t) {
    return std::nullopt;
  }
  return *t;
}

bool parse_bool(std::string_view s) {
  return s == "true";
}

// Decodes a listing field when the document is URL-encoded.
std::optional<std::string> decoded(std::string_view value, bool url) {
  if (!url) {
    return std::string(value);
  }
  // S3 encodes spaces as `+` in listings (application/x-www-form-urlencoded style).
  auto out = sigv4::percent_decode(value, true);
  if (!out) {
    return std::nullopt;
  }
  return std::move(*out);
}

bool url_encoded(const pugi::xml_node& root) {
  return text(root, "EncodingType") == "url";
}

void escape_append(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

std::optional<error_document> parse_error(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return std::nullopt;
  }
  const auto root = doc.child("Error");
  if (!root) {
    return std::nullopt;
  }
  return error_document{std::string(text(root, "Code")), std::string(text(root, "Message"))};
}

result<std::string> parse_initiate(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return bad("InitiateMultipartUploadResult: not XML");
  }
  const auto root = doc.child("InitiateMultipartUploadResult");
  const std::string_view id = text(root, "UploadId");
  if (!root || id.empty()) {
    return bad("InitiateMultipartUploadResult: no UploadId");
  }
  return std::string(id);
}

result<complete_outcome> parse_complete(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return bad("CompleteMultipartUploadResult: not XML");
  }
  complete_outcome out;
  if (const auto err = doc.child("Error")) {
    out.error = error_document{std::string(text(err, "Code")), std::string(text(err, "Message"))};
    return out;
  }
  const auto root = doc.child("CompleteMultipartUploadResult");
  const std::string_view etag = text(root, "ETag");
  if (!root || etag.empty()) {
    return bad("CompleteMultipartUploadResult: no ETag");
  }
  out.etag = std::string(etag);
  return out;
}

result<parts_page> parse_list_parts(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return bad("ListPartsResult: not XML");
  }
  const auto root = doc.child("ListPartsResult");
  if (!root) {
    return bad("ListPartsResult: wrong root");
  }
  parts_page page;
  page.truncated = parse_bool(text(root, "IsTruncated"));
  for (const auto part : root.children("Part")) {
    const auto number = parse_uint(text(part, "PartNumber"));
    const auto size = parse_u64(text(part, "Size"));
    if (!number || !size) {
      return bad("ListPartsResult: bad PartNumber or Size");
    }
    page.parts.push_back({*number, std::string(text(part, "ETag")), *size});
  }
  if (page.truncated) {
    const auto next = parse_uint(text(root, "NextPartNumberMarker"));
    if (!next) {
      return bad("ListPartsResult: truncated without NextPartNumberMarker");
    }
    page.next_marker = *next;
  }
  return page;
}

result<object_page> parse_list_objects(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return bad("ListBucketResult: not XML");
  }
  const auto root = doc.child("ListBucketResult");
  if (!root) {
    return bad("ListBucketResult: wrong root");
  }
  const bool url = url_encoded(root);
  object_page page;
  for (const auto item : root.children("Contents")) {
    auto key = decoded(text(item, "Key"), url);
    const auto size = parse_u64(text(item, "Size"));
    const auto modified = parse_time(text(item, "LastModified"));
    if (!key || key->empty() || !size || !modified) {
      return bad("ListBucketResult: bad Key, Size or LastModified");
    }
    page.objects.push_back({std::move(*key), *size, *modified});
  }
  if (parse_bool(text(root, "IsTruncated"))) {
    page.next_token = std::string(text(root, "NextContinuationToken"));
    if (page.next_token.empty()) {
      return bad("ListBucketResult: truncated without NextContinuationToken");
    }
  }
  return page;
}

result<uploads_page> parse_list_uploads(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) {
    return bad("ListMultipartUploadsResult: not XML");
  }
  const auto root = doc.child("ListMultipartUploadsResult");
  if (!root) {
    return bad("ListMultipartUploadsResult: wrong root");
  }
  const bool url = url_encoded(root);
  uploads_page page;
  for (const auto item : root.children("Upload")) {
    auto key = decoded(text(item, "Key"), url);
    const std::string_view id = text(item, "UploadId");
    const auto initiated = parse_time(text(item, "Initiated"));
    if (!key || key->empty() || id.empty() || !initiated) {
      return bad("ListMultipartUploadsResult: bad Key, UploadId or Initiated");
    }
    page.uploads.push_back({std::move(*key), std::string(id), *initiated});
  }
  page.truncated = parse_bool(text(root, "IsTruncated"));
  if (page.truncated) {
    auto next_key = decoded(text(root, "NextKeyMarker"), url);
    if (!next_key || next_key->empty()) {
      return bad("ListMultipartUploadsResult: truncated without NextKeyMarker");
    }
    page.next_key_marker = std::move(*next_key);
    page.next_upload_id_marker = std::string(text(root, "NextUploadIdMarker"));
  }
  return page;
}

std::string render_complete(std::span<const completed_part> parts) {
  std::string out = "<CompleteMultipartUpload>";
  out.reserve(64 + parts.size() * 96);
  for (const completed_part& p : parts) {
    out += "<Part><PartNumber>";
    out += std::to_string(p.part_number);
    out += "</PartNumber><ETag>";
    escape_append(out, p.etag);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 bytes.
  constexpr std::size_t size = 29;
  static constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != size || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<unsigned> {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') {
        return std::nullopt;
      }
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return v;
  };
  std::size_t weekday = 0;
  while (weekday < weekdays.size() && weekdays[weekday] != s.substr(0, 3)) {
    ++weekday;
  }
  unsigned month = 0;
  while (month < months.size() && months[month] != s.substr(8, 3)) {
    ++month;
  }
  const auto day = number(5, 2);
  const auto year = number(12, 4);
  const auto hour = number(17, 2);
  const auto minute = number(20, 2);
  const auto second = number(23, 2);
  if (weekday == weekdays.size() || month == months.size() || !day || !year || !hour || !minute ||
      !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(static_cast<int>(*year)),
                            std::chrono::month(month + 1), std::chrono::day(*day)};
  if (!date.ok()) {
    return std::nullopt;
  }
  const sys_days days_point{date};
  if (std::chrono::weekday(days_point).c_encoding() != weekday) {
    return std::nullopt;
  }
  return sys_seconds(days_point) + hours(*hour) + minutes(*minute) + seconds(*second);
}

}  // namespace onehop::s3client::xml
