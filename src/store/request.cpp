#include "store/request.hpp"

#include <array>
#include <charconv>

#include "store/names.hpp"

namespace onehop::store {

namespace {

int hex_value(char c) noexcept {
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

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

// Sub-resources the store recognizes but does not implement, with S3's operation names per
// method (empty: that method on this sub-resource is not an S3 operation).
struct unimplemented_subresource {
  std::string_view param;
  std::string_view get;
  std::string_view put;
  std::string_view del;
};

constexpr std::array bucket_unimplemented{
    unimplemented_subresource{"acl", "GetBucketAcl", "PutBucketAcl", ""},
    unimplemented_subresource{"tagging", "GetBucketTagging", "PutBucketTagging",
                              "DeleteBucketTagging"},
    unimplemented_subresource{"versioning", "GetBucketVersioning", "PutBucketVersioning", ""},
    unimplemented_subresource{"versions", "ListObjectVersions", "", ""},
    unimplemented_subresource{"lifecycle", "GetBucketLifecycleConfiguration",
                              "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"},
    unimplemented_subresource{"website", "GetBucketWebsite", "PutBucketWebsite",
                              "DeleteBucketWebsite"},
    unimplemented_subresource{"logging", "GetBucketLogging", "PutBucketLogging", ""},
    unimplemented_subresource{"notification", "GetBucketNotificationConfiguration",
                              "PutBucketNotificationConfiguration", ""},
    unimplemented_subresource{"replication", "GetBucketReplication", "PutBucketReplication",
                              "DeleteBucketReplication"},
    unimplemented_subresource{"encryption", "GetBucketEncryption", "PutBucketEncryption",
                              "DeleteBucketEncryption"},
    unimplemented_subresource{"ownershipControls", "GetBucketOwnershipControls",
                              "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"},
    unimplemented_subresource{"publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock",
                              "DeletePublicAccessBlock"},
    unimplemented_subresource{"accelerate", "GetBucketAccelerateConfiguration",
                              "PutBucketAccelerateConfiguration", ""},
    unimplemented_subresource{"requestPayment", "GetBucketRequestPayment",
                              "PutBucketRequestPayment", ""},
    unimplemented_subresource{"object-lock", "GetObjectLockConfiguration",
                              "PutObjectLockConfiguration", ""},
    unimplemented_subresource{"intelligent-tiering", "GetBucketIntelligentTieringConfiguration",
                              "PutBucketIntelligentTieringConfiguration",
                              "DeleteBucketIntelligentTieringConfiguration"},
    unimplemented_subresource{"analytics", "GetBucketAnalyticsConfiguration",
                              "PutBucketAnalyticsConfiguration",
                              "DeleteBucketAnalyticsConfiguration"},
    unimplemented_subresource{"metrics", "GetBucketMetricsConfiguration",
                              "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration"},
    unimplemented_subresource{"inventory", "GetBucketInventoryConfiguration",
                              "PutBucketInventoryConfiguration",
                              "DeleteBucketInventoryConfiguration"},
    unimplemented_subresource{"policyStatus", "GetBucketPolicyStatus", "", ""},
    unimplemented_subresource{"session", "CreateSession", "", ""},
};

constexpr std::array object_unimplemented{
    unimplemented_subresource{"acl", "GetObjectAcl", "PutObjectAcl", ""},
    unimplemented_subresource{"tagging", "GetObjectTagging", "PutObjectTagging",
                              "DeleteObjectTagging"},
    unimplemented_subresource{"retention", "GetObjectRetention", "PutObjectRetention", ""},
    unimplemented_subresource{"legal-hold", "GetObjectLegalHold", "PutObjectLegalHold", ""},
    unimplemented_subresource{"attributes", "GetObjectAttributes", "", ""},
    unimplemented_subresource{"torrent", "GetObjectTorrent", "", ""},
    // GetObject/HeadObject of one part would silently return the whole object if ignored.
    unimplemented_subresource{"partNumber", "GetObject (partNumber)", "", ""},
};

// S3's name for the unimplemented sub-resource in `req`, or "" when none applies.
template <std::size_t N>
std::string_view find_unimplemented(const s3_request& req,
                                    const std::array<unimplemented_subresource, N>& table,
                                    std::string_view method) {
  for (const auto& entry : table) {
    if (!req.has_query(entry.param)) {
      continue;
    }
    if (method == "GET" || method == "HEAD") {
      if (!entry.get.empty()) {
        return entry.get;
      }
    } else if (method == "PUT") {
      if (!entry.put.empty()) {
        return entry.put;
      }
    } else if (method == "DELETE") {
      if (!entry.del.empty()) {
        return entry.del;
      }
    }
  }
  return {};
}

result<void> parse_query(std::string_view raw, const classify_limits& limits, s3_request& req) {
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    if (req.query.size() == limits.max_query_params) {
      return parse_errc::invalid_uri;
    }
    const std::size_t eq = piece.find('=');
    std::string name;
    std::string value;
    if (!percent_decode(piece.substr(0, eq), name, true)) {
      return parse_errc::invalid_uri;
    }
    if (eq != std::string_view::npos && !percent_decode(piece.substr(eq + 1), value, true)) {
      return parse_errc::invalid_uri;
    }
    req.query.emplace_back(std::move(name), std::move(value));
  }
  return {};
}

// The bucket from a virtual-hosted Host header, or "" when the request is path-style.
std::string_view virtual_host_bucket(std::string_view host_lower,
                                     std::span<const std::string> endpoint_hosts) {
  for (const std::string& endpoint : endpoint_hosts) {
    if (host_lower.size() > endpoint.size() + 1 && host_lower.ends_with(endpoint) &&
        host_lower[host_lower.size() - endpoint.size() - 1] == '.') {
      return host_lower.substr(0, host_lower.size() - endpoint.size() - 1);
    }
  }
  return {};
}

std::string_view strip_port(std::string_view host) {
  if (host.starts_with('[')) {
    return host;  // an IPv6 literal can only be path-style
  }
  const std::size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

result<std::uint32_t> parse_part_number(const std::string* text) {
  if (text == nullptr || text->empty() || text->size() > 5) {
    return parse_errc::invalid_argument;
  }
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < 1 ||
      value > max_part_number) {
    return parse_errc::invalid_argument;
  }
  return value;
}

result<void> require_upload_id(s3_request& req) {
  const std::string* id = req.query_value("uploadId");
  if (id == nullptr || id->empty()) {
    return parse_errc::invalid_argument;
  }
  req.upload_id = *id;
  return {};
}

result<void> classify_service(std::string_view method, s3_request& req) {
  if (method == "GET") {
    req.op = operation::list_buckets;
    return {};
  }
  return parse_errc::method_not_allowed;
}

result<void> classify_bucket(std::string_view method, s3_request& req) {
  const std::string_view unimplemented = find_unimplemented(req, bucket_unimplemented, method);
  auto not_implemented = [&](std::string_view name) {
    req.op = operation::not_implemented;
    req.not_implemented_name = name;
    return result<void>{};
  };
  if (method == "GET") {
    if (req.has_query("uploads")) {
      req.op = operation::list_multipart_uploads;
    } else if (req.has_query("location")) {
      req.op = operation::get_bucket_location;
    } else if (req.has_query("cors")) {
      req.op = operation::get_bucket_cors;
    } else if (req.has_query("policy")) {
      req.op = operation::get_bucket_policy;
    } else if (!unimplemented.empty()) {
      return not_implemented(unimplemented);
    } else if (const std::string* v = req.query_value("list-type"); v != nullptr && *v == "2") {
      req.op = operation::list_objects_v2;
    } else {
      req.op = operation::list_objects_v1;
    }
    return {};
  }
  if (method == "PUT") {
    if (req.has_query("cors")) {
      req.op = operation::put_bucket_cors;
    } else if (req.has_query("policy")) {
      req.op = operation::put_bucket_policy;
    } else if (!unimplemented.empty()) {
      return not_implemented(unimplemented);
    } else {
      req.op = operation::create_bucket;
    }
    return {};
  }
  if (method == "HEAD") {
    req.op = operation::head_bucket;
    return {};
  }
  if (method == "DELETE") {
    if (req.has_query("cors")) {
      req.op = operation::delete_bucket_cors;
    } else if (req.has_query("policy")) {
      req.op = operation::delete_bucket_policy;
    } else if (!unimplemented.empty()) {
      return not_implemented(unimplemented);
    } else {
      req.op = operation::delete_bucket;
    }
    return {};
  }
  if (method == "POST") {
    if (req.has_query("delete")) {
      req.op = operation::delete_objects;
    } else {
      req.op = operation::post_object;
    }
    return {};
  }
  return parse_errc::method_not_allowed;
}

result<void> classify_object(std::string_view method, bool has_copy_source, s3_request& req) {
  auto not_implemented = [&](std::string_view name) {
    req.op = operation::not_implemented;
    req.not_implemented_name = name;
    return result<void>{};
  };
  if (method == "PUT") {
    if (req.has_query("uploadId") || req.has_query("partNumber")) {
      if (has_copy_source) {
        return not_implemented("UploadPartCopy");
      }
      if (auto r = require_upload_id(req); !r) {
        return r;
      }
      auto part = parse_part_number(req.query_value("partNumber"));
      if (!part) {
        return part.error();
      }
      req.part_number = *part;
      req.op = operation::upload_part;
      return {};
    }
    if (const std::string_view name = find_unimplemented(req, object_unimplemented, method);
        !name.empty()) {
      return not_implemented(name);
    }
    if (has_copy_source) {
      return not_implemented("CopyObject");
    }
    req.op = operation::put_object;
    return {};
  }
  if (method == "GET" || method == "HEAD") {
    if (method == "GET" && req.has_query("uploadId")) {
      req.op = operation::list_parts;
      return require_upload_id(req);
    }
    if (const std::string_view name = find_unimplemented(req, object_unimplemented, method);
        !name.empty()) {
      return not_implemented(name);
    }
    req.op = method == "GET" ? operation::get_object : operation::head_object;
    return {};
  }
  if (method == "DELETE") {
    if (req.has_query("uploadId")) {
      req.op = operation::abort_multipart_upload;
      return require_upload_id(req);
    }
    if (const std::string_view name = find_unimplemented(req, object_unimplemented, method);
        !name.empty()) {
      return not_implemented(name);
    }
    req.op = operation::delete_object;
    return {};
  }
  if (method == "POST") {
    if (req.has_query("uploads")) {
      req.op = operation::create_multipart_upload;
      return {};
    }
    if (req.has_query("uploadId")) {
      req.op = operation::complete_multipart_upload;
      return require_upload_id(req);
    }
    if (req.has_query("restore")) {
      return not_implemented("RestoreObject");
    }
    if (req.has_query("select")) {
      return not_implemented("SelectObjectContent");
    }
    return parse_errc::method_not_allowed;
  }
  return parse_errc::method_not_allowed;
}

}  // namespace

std::string_view to_string(operation op) noexcept {
  switch (op) {
    case operation::list_buckets:
      return "ListBuckets";
    case operation::create_bucket:
      return "CreateBucket";
    case operation::head_bucket:
      return "HeadBucket";
    case operation::delete_bucket:
      return "DeleteBucket";
    case operation::get_bucket_location:
      return "GetBucketLocation";
    case operation::put_bucket_cors:
      return "PutBucketCors";
    case operation::get_bucket_cors:
      return "GetBucketCors";
    case operation::delete_bucket_cors:
      return "DeleteBucketCors";
    case operation::put_bucket_policy:
      return "PutBucketPolicy";
    case operation::get_bucket_policy:
      return "GetBucketPolicy";
    case operation::delete_bucket_policy:
      return "DeleteBucketPolicy";
    case operation::list_objects_v2:
      return "ListObjectsV2";
    case operation::list_objects_v1:
      return "ListObjects";
    case operation::put_object:
      return "PutObject";
    case operation::get_object:
      return "GetObject";
    case operation::head_object:
      return "HeadObject";
    case operation::delete_object:
      return "DeleteObject";
    case operation::delete_objects:
      return "DeleteObjects";
    case operation::post_object:
      return "PostObject";
    case operation::create_multipart_upload:
      return "CreateMultipartUpload";
    case operation::upload_part:
      return "UploadPart";
    case operation::list_parts:
      return "ListParts";
    case operation::complete_multipart_upload:
      return "CompleteMultipartUpload";
    case operation::abort_multipart_upload:
      return "AbortMultipartUpload";
    case operation::list_multipart_uploads:
      return "ListMultipartUploads";
    case operation::options_preflight:
      return "PreflightRequest";
    case operation::not_implemented:
      return "NotImplemented";
  }
  return "Unknown";
}

bool s3_request::has_query(std::string_view name) const noexcept {
  return query_value(name) != nullptr;
}

const std::string* s3_request::query_value(std::string_view name) const noexcept {
  for (const auto& [n, v] : query) {
    if (n == name) {
      return &v;
    }
  }
  return nullptr;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return false;
      }
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return false;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

result<s3_request> classify(const request_head& head, std::span<const std::string> endpoint_hosts,
                            const classify_limits& limits) {
  if (head.target.empty() || head.target.front() != '/') {
    return parse_errc::invalid_uri;
  }
  const std::size_t qmark = head.target.find('?');
  const std::string_view path = head.target.substr(0, qmark);
  const std::string_view raw_query =
      qmark == std::string_view::npos ? std::string_view{} : head.target.substr(qmark + 1);
  if (path.size() > limits.max_path_bytes || raw_query.size() > limits.max_query_bytes) {
    return parse_errc::invalid_uri;
  }

  s3_request req;
  if (auto r = parse_query(raw_query, limits, req); !r) {
    return r.error();
  }

  const std::string host = lowercase(strip_port(head.host));
  const std::string_view vhost_bucket = virtual_host_bucket(host, endpoint_hosts);
  std::string_view raw_key;
  bool has_key_part = false;
  if (!vhost_bucket.empty()) {
    req.virtual_hosted = true;
    req.bucket = vhost_bucket;
    raw_key = path.substr(1);
    has_key_part = !raw_key.empty();
  } else {
    const std::string_view rest = path.substr(1);
    const std::size_t slash = rest.find('/');
    if (!percent_decode(rest.substr(0, slash), req.bucket, false)) {
      return parse_errc::invalid_uri;
    }
    if (slash != std::string_view::npos) {
      raw_key = rest.substr(slash + 1);
      has_key_part = !raw_key.empty();
    }
  }

  if (head.method == "OPTIONS") {
    req.op = operation::options_preflight;
  }
  if (req.bucket.empty()) {
    if (req.op == operation::options_preflight) {
      return req;
    }
    if (auto r = classify_service(head.method, req); !r) {
      return r.error();
    }
    return req;
  }
  if (auto r = validate_bucket_name(req.bucket); !r) {
    return r.error();
  }
  if (has_key_part) {
    if (!percent_decode(raw_key, req.key, false)) {
      return parse_errc::invalid_uri;
    }
    if (auto r = validate_key(req.key); !r) {
      return r.error();
    }
    if (req.op == operation::options_preflight) {
      return req;
    }
    if (auto r = classify_object(head.method, head.has_copy_source, req); !r) {
      return r.error();
    }
    return req;
  }
  if (req.op == operation::options_preflight) {
    return req;
  }
  if (auto r = classify_bucket(head.method, req); !r) {
    return r.error();
  }
  return req;
}

}  // namespace onehop::store
