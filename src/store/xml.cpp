#include "store/xml.hpp"

#include <array>
#include <charconv>
#include <pugixml.hpp>

namespace onehop::store::xml {

namespace {

constexpr std::string_view xml_declaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

void open_root(std::string& out, std::string_view name) {
  out.append(xml_declaration);
  out.push_back('<');
  out.append(name);
  out.append(" xmlns=\"");
  out.append(s3_namespace);
  out.append("\">");
}

void open(std::string& out, std::string_view name) {
  out.push_back('<');
  out.append(name);
  out.push_back('>');
}

void close(std::string& out, std::string_view name) {
  out.append("</");
  out.append(name);
  out.push_back('>');
}

void element(std::string& out, std::string_view name, std::string_view text) {
  open(out, name);
  append_escaped(out, text);
  close(out, name);
}

// A key-like value: percent-encoded when the client asked for EncodingType=url.
void element_encoded(std::string& out, std::string_view name, std::string_view text, bool url) {
  open(out, name);
  if (url) {
    append_url_encoded(out, text);
  } else {
    append_escaped(out, text);
  }
  close(out, name);
}

void element(std::string& out, std::string_view name, std::uint64_t value) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  open(out, name);
  out.append(buf.data(), r.ptr);
  close(out, name);
}

void element(std::string& out, std::string_view name, bool value) {
  element(out, name, value ? std::string_view{"true"} : std::string_view{"false"});
}

void element_time(std::string& out, std::string_view name, timestamp t) {
  open(out, name);
  append_iso8601(out, t);
  close(out, name);
}

void owner_element(std::string& out, std::string_view name, const owner& who) {
  open(out, name);
  element(out, "ID", who.id);
  element(out, "DisplayName", who.display_name);
  close(out, name);
}

void append_2digits(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + (v / 10) % 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void common_prefixes(std::string& out, std::span<const std::string_view> prefixes, bool url) {
  for (const std::string_view p : prefixes) {
    open(out, "CommonPrefixes");
    element_encoded(out, "Prefix", p, url);
    close(out, "CommonPrefixes");
  }
}

void contents(std::string& out, const object_entry& o, bool url, const owner* who) {
  open(out, "Contents");
  element_encoded(out, "Key", o.key, url);
  element_time(out, "LastModified", o.last_modified);
  element(out, "ETag", o.etag);
  element(out, "Size", o.size);
  if (who != nullptr) {
    owner_element(out, "Owner", *who);
  }
  element(out, "StorageClass", o.storage_class);
  close(out, "Contents");
}

// ---- parsing helpers

std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) {
      return c;
    }
  }
  return {};
}

// The root element of `body` if it parses and is named `root_name`.
result<pugi::xml_node> load(pugi::xml_document& doc, std::string_view body,
                            std::string_view root_name) {
  // parse_ws_pcdata_single keeps a whitespace-only key such as " " instead of dropping it.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                      pugi::encoding_utf8);
  if (!parsed) {
    return parse_errc::malformed_xml;
  }
  const pugi::xml_node root = doc.document_element();
  if (!root || local_name(root) != root_name) {
    return parse_errc::malformed_xml;
  }
  return root;
}

bool parse_u32(std::string_view text, std::uint32_t& value) {
  if (text.empty() || text.size() > 10) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

void append_iso8601(std::string& out, timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  const int year = static_cast<int>(ymd.year());
  std::array<char, 8> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), year);
  for (std::ptrdiff_t pad = 4 - (r.ptr - buf.data()); pad > 0; --pad) {
    out.push_back('0');
  }
  out.append(buf.data(), r.ptr);
  out.push_back('-');
  append_2digits(out, static_cast<unsigned>(ymd.month()));
  out.push_back('-');
  append_2digits(out, static_cast<unsigned>(ymd.day()));
  out.push_back('T');
  append_2digits(out, static_cast<unsigned>(hms.hours().count()));
  out.push_back(':');
  append_2digits(out, static_cast<unsigned>(hms.minutes().count()));
  out.push_back(':');
  append_2digits(out, static_cast<unsigned>(hms.seconds().count()));
  out.push_back('.');
  const auto ms = static_cast<unsigned>(hms.subseconds().count());
  out.push_back(static_cast<char>('0' + ms / 100));
  append_2digits(out, ms % 100);
  out.push_back('Z');
}

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::size_t plain_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string_view replacement;
    switch (c) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        replacement = "&gt;";
        break;
      case '"':
        replacement = "&quot;";
        break;
      case '\'':
        replacement = "&apos;";
        break;
      default:
        break;
    }
    if (replacement.empty() && c >= 0x20) {
      continue;
    }
    out.append(text.substr(plain_start, i - plain_start));
    plain_start = i + 1;
    if (!replacement.empty()) {
      out.append(replacement);
    } else {
      out.append("&#x");
      if (c >= 0x10) {
        out.push_back(hex[c >> 4]);
      }
      out.push_back(hex[c & 0xF]);
      out.push_back(';');
    }
  }
  out.append(text.substr(plain_start));
}

void append_url_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                            c == '~' || c == '/';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
}

std::string list_all_my_buckets(std::span<const bucket_entry> buckets, const owner& who) {
  std::string out;
  out.reserve(256 + buckets.size() * 96);
  open_root(out, "ListAllMyBucketsResult");
  owner_element(out, "Owner", who);
  open(out, "Buckets");
  for (const bucket_entry& b : buckets) {
    open(out, "Bucket");
    element(out, "Name", b.name);
    element_time(out, "CreationDate", b.created);
    close(out, "Bucket");
  }
  close(out, "Buckets");
  close(out, "ListAllMyBucketsResult");
  return out;
}

std::string list_objects_v2(const list_objects_v2_page& page) {
  const bool url = page.encoding_type_url;
  std::string out;
  out.reserve(512 + page.objects.size() * 256 + page.common_prefixes.size() * 96);
  open_root(out, "ListBucketResult");
  element(out, "Name", page.bucket);
  element_encoded(out, "Prefix", page.prefix, url);
  if (page.delimiter) {
    element_encoded(out, "Delimiter", *page.delimiter, url);
  }
  element(out, "MaxKeys", static_cast<std::uint64_t>(page.max_keys));
  element(out, "KeyCount",
          static_cast<std::uint64_t>(page.objects.size() + page.common_prefixes.size()));
  element(out, "IsTruncated", page.is_truncated);
  if (page.continuation_token) {
    element(out, "ContinuationToken", *page.continuation_token);
  }
  if (page.next_continuation_token) {
    element(out, "NextContinuationToken", *page.next_continuation_token);
  }
  if (page.start_after) {
    element_encoded(out, "StartAfter", *page.start_after, url);
  }
  if (url) {
    element(out, "EncodingType", std::string_view{"url"});
  }
  const owner* who = page.fetch_owner ? &*page.fetch_owner : nullptr;
  for (const object_entry& o : page.objects) {
    contents(out, o, url, who);
  }
  common_prefixes(out, page.common_prefixes, url);
  close(out, "ListBucketResult");
  return out;
}

std::string list_objects_v1(const list_objects_v1_page& page) {
  const bool url = page.encoding_type_url;
  std::string out;
  out.reserve(512 + page.objects.size() * 320 + page.common_prefixes.size() * 96);
  open_root(out, "ListBucketResult");
  element(out, "Name", page.bucket);
  element_encoded(out, "Prefix", page.prefix, url);
  element_encoded(out, "Marker", page.marker, url);
  if (page.next_marker) {
    element_encoded(out, "NextMarker", *page.next_marker, url);
  }
  if (page.delimiter) {
    element_encoded(out, "Delimiter", *page.delimiter, url);
  }
  element(out, "MaxKeys", static_cast<std::uint64_t>(page.max_keys));
  element(out, "IsTruncated", page.is_truncated);
  if (url) {
    element(out, "EncodingType", std::string_view{"url"});
  }
  for (const object_entry& o : page.objects) {
    contents(out, o, url, &page.object_owner);
  }
  common_prefixes(out, page.common_prefixes, url);
  close(out, "ListBucketResult");
  return out;
}

std::string initiate_multipart_upload_result(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id) {
  std::string out;
  out.reserve(256 + key.size());
  open_root(out, "InitiateMultipartUploadResult");
  element(out, "Bucket", bucket);
  element(out, "Key", key);
  element(out, "UploadId", upload_id);
  close(out, "InitiateMultipartUploadResult");
  return out;
}

std::string complete_multipart_upload_result(const complete_result& r) {
  std::string out;
  out.reserve(256 + r.location.size() + r.key.size());
  open_root(out, "CompleteMultipartUploadResult");
  element(out, "Location", r.location);
  element(out, "Bucket", r.bucket);
  element(out, "Key", r.key);
  element(out, "ETag", r.etag);
  close(out, "CompleteMultipartUploadResult");
  return out;
}

std::string list_parts_result(const list_parts_page& page) {
  std::string out;
  out.reserve(512 + page.parts.size() * 192);
  open_root(out, "ListPartsResult");
  element(out, "Bucket", page.bucket);
  element(out, "Key", page.key);
  element(out, "UploadId", page.upload_id);
  owner_element(out, "Initiator", page.initiator);
  owner_element(out, "Owner", page.initiator);
  element(out, "StorageClass", page.storage_class);
  element(out, "PartNumberMarker", static_cast<std::uint64_t>(page.part_number_marker));
  element(out, "NextPartNumberMarker", static_cast<std::uint64_t>(page.next_part_number_marker));
  element(out, "MaxParts", static_cast<std::uint64_t>(page.max_parts));
  element(out, "IsTruncated", page.is_truncated);
  for (const part_entry& p : page.parts) {
    open(out, "Part");
    element(out, "PartNumber", static_cast<std::uint64_t>(p.part_number));
    element_time(out, "LastModified", p.last_modified);
    element(out, "ETag", p.etag);
    element(out, "Size", p.size);
    close(out, "Part");
  }
  close(out, "ListPartsResult");
  return out;
}

std::string list_multipart_uploads_result(const list_multipart_uploads_page& page) {
  const bool url = page.encoding_type_url;
  std::string out;
  out.reserve(512 + page.uploads.size() * 320);
  open_root(out, "ListMultipartUploadsResult");
  element(out, "Bucket", page.bucket);
  element_encoded(out, "KeyMarker", page.key_marker, url);
  element(out, "UploadIdMarker", page.upload_id_marker);
  element_encoded(out, "NextKeyMarker", page.next_key_marker, url);
  element(out, "NextUploadIdMarker", page.next_upload_id_marker);
  element_encoded(out, "Prefix", page.prefix, url);
  if (page.delimiter) {
    element_encoded(out, "Delimiter", *page.delimiter, url);
  }
  element(out, "MaxUploads", static_cast<std::uint64_t>(page.max_uploads));
  element(out, "IsTruncated", page.is_truncated);
  if (url) {
    element(out, "EncodingType", std::string_view{"url"});
  }
  for (const upload_entry& u : page.uploads) {
    open(out, "Upload");
    element_encoded(out, "Key", u.key, url);
    element(out, "UploadId", u.upload_id);
    owner_element(out, "Initiator", page.initiator);
    owner_element(out, "Owner", page.initiator);
    element(out, "StorageClass", u.storage_class);
    element_time(out, "Initiated", u.initiated);
    close(out, "Upload");
  }
  common_prefixes(out, page.common_prefixes, url);
  close(out, "ListMultipartUploadsResult");
  return out;
}

std::string delete_result(std::span<const deleted_entry> deleted,
                          std::span<const delete_error_entry> errors) {
  std::string out;
  out.reserve(128 + deleted.size() * 96 + errors.size() * 160);
  open_root(out, "DeleteResult");
  for (const deleted_entry& d : deleted) {
    open(out, "Deleted");
    element(out, "Key", d.key);
    close(out, "Deleted");
  }
  for (const delete_error_entry& e : errors) {
    open(out, "Error");
    element(out, "Key", e.key);
    element(out, "Code", e.code);
    element(out, "Message", e.message);
    close(out, "Error");
  }
  close(out, "DeleteResult");
  return out;
}

std::string location_constraint(std::string_view region) {
  std::string out;
  out.append(xml_declaration);
  out.append("<LocationConstraint xmlns=\"");
  out.append(s3_namespace);
  out.append("\">");
  if (region != "us-east-1") {
    append_escaped(out, region);
  }
  close(out, "LocationConstraint");
  return out;
}

std::string error(const error_document& e) {
  std::string out;
  out.reserve(256 + e.message.size() + e.resource.size() +
              (e.canonical_request ? e.canonical_request->size() * 2 : 0));
  out.append(xml_declaration);
  open(out, "Error");
  element(out, "Code", e.code);
  element(out, "Message", e.message);
  if (e.aws_access_key_id) {
    element(out, "AWSAccessKeyId", *e.aws_access_key_id);
  }
  if (e.string_to_sign) {
    element(out, "StringToSign", *e.string_to_sign);
  }
  if (e.canonical_request) {
    element(out, "CanonicalRequest", *e.canonical_request);
  }
  for (const auto& [name, value] : e.extra) {
    element(out, name, value);
  }
  element(out, "Resource", e.resource);
  element(out, "RequestId", e.request_id);
  close(out, "Error");
  return out;
}

std::string post_response_document(const post_response& r) {
  std::string out;
  out.reserve(256 + r.location.size() + r.key.size());
  out.append(xml_declaration);
  open(out, "PostResponse");
  element(out, "Location", r.location);
  element(out, "Bucket", r.bucket);
  element(out, "Key", r.key);
  element(out, "ETag", r.etag);
  close(out, "PostResponse");
  return out;
}

result<std::vector<completed_part>> parse_complete_multipart_upload(std::string_view body) {
  if (body.size() > max_complete_multipart_bytes) {
    return parse_errc::max_message_length_exceeded;
  }
  pugi::xml_document doc;
  auto root = load(doc, body, "CompleteMultipartUpload");
  if (!root) {
    return root.error();
  }
  std::vector<completed_part> parts;
  for (pugi::xml_node part = root->first_child(); part; part = part.next_sibling()) {
    if (part.type() != pugi::node_element || local_name(part) != "Part") {
      continue;
    }
    if (parts.size() == max_complete_multipart_parts) {
      return parse_errc::malformed_xml;
    }
    const pugi::xml_node number = child(part, "PartNumber");
    const pugi::xml_node etag = child(part, "ETag");
    if (!number || !etag) {
      return parse_errc::malformed_xml;
    }
    completed_part p;
    if (!parse_u32(number.child_value(), p.part_number)) {
      return parse_errc::malformed_xml;
    }
    if (p.part_number < 1 || p.part_number > 10000) {
      return parse_errc::invalid_argument;
    }
    std::string_view tag = etag.child_value();
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    p.etag = tag;
    parts.push_back(std::move(p));
  }
  if (parts.empty()) {
    return parse_errc::malformed_xml;
  }
  return parts;
}

result<delete_request> parse_delete(std::string_view body) {
  if (body.size() > max_delete_bytes) {
    return parse_errc::max_message_length_exceeded;
  }
  pugi::xml_document doc;
  auto root = load(doc, body, "Delete");
  if (!root) {
    return root.error();
  }
  delete_request req;
  for (pugi::xml_node node = root->first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = local_name(node);
    if (name == "Quiet") {
      const std::string_view value = node.child_value();
      if (value == "true") {
        req.quiet = true;
      } else if (value == "false") {
        req.quiet = false;
      } else {
        return parse_errc::malformed_xml;
      }
    } else if (name == "Object") {
      if (req.objects.size() == max_delete_keys) {
        return parse_errc::malformed_xml;
      }
      const pugi::xml_node key = child(node, "Key");
      if (!key) {
        return parse_errc::malformed_xml;
      }
      delete_request::object o;
      o.key = key.child_value();
      if (const pugi::xml_node version = child(node, "VersionId")) {
        o.version_id = std::string(version.child_value());
      }
      req.objects.push_back(std::move(o));
    }
  }
  if (req.objects.empty()) {
    return parse_errc::malformed_xml;
  }
  return req;
}

result<std::optional<std::string>> parse_create_bucket_configuration(std::string_view body) {
  if (body.size() > max_create_bucket_bytes) {
    return parse_errc::max_message_length_exceeded;
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::optional<std::string>{};
  }
  pugi::xml_document doc;
  auto root = load(doc, body, "CreateBucketConfiguration");
  if (!root) {
    return root.error();
  }
  const pugi::xml_node location = child(*root, "LocationConstraint");
  if (!location) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{std::string(location.child_value())};
}

}  // namespace onehop::store::xml
