#pragma once
// The S3 request classifier: from the request line and Host header to the operation, bucket and
// key, decoded once. Pure: no sockets, no clock.
//
// Addressing:
// - virtual-hosted: when the Host (port removed, compared case-insensitively) is
//   `<bucket>.<endpoint host>` for one of the configured endpoint hosts, the bucket is that label
//   sequence and the whole path (after its leading '/') is the key;
// - path-style otherwise: `/<bucket>` or `/<bucket>/` is the bucket, and everything after
//   `/<bucket>/` is the key.
// The key is the percent-decoded path: "//", "..", "." segments, leading and trailing '/' and '+'
// are kept as they are (S3 never normalizes object paths and '+' in a path is a plus).
// Query parameters are split on '&' and percent-decoded, with '+' meaning a space, as S3 does.
//
// Operations are chosen from the method and the sub-resource parameters (`?uploads`,
// `?uploadId=`, `?partNumber=`, `?cors`, `?policy`, `?location`, `?list-type=2`, `?delete`, ...).
// Sub-resources the store does not implement (`?acl`, `?tagging`, `?versioning`, ...) and copies
// (`x-amz-copy-source`) classify as operation::not_implemented with S3's operation name, so the
// handler answers 501 NotImplemented rather than silently treating them as plain object requests.
//
// Errors: parse_errc::invalid_uri (target not origin-form, bad percent-encoding, caps exceeded),
// invalid_bucket_name, key_too_long, invalid_key, method_not_allowed (e.g. PUT on "/"),
// invalid_argument (partNumber outside 1..10000, empty uploadId).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/parse_errors.hpp"

namespace onehop::store {

enum class operation {
  list_buckets,
  create_bucket,
  head_bucket,
  delete_bucket,
  get_bucket_location,
  put_bucket_cors,
  get_bucket_cors,
  delete_bucket_cors,
  put_bucket_policy,
  get_bucket_policy,
  delete_bucket_policy,
  list_objects_v2,
  list_objects_v1,
  put_object,
  get_object,
  head_object,
  delete_object,
  delete_objects,
  post_object,
  create_multipart_upload,
  upload_part,
  list_parts,
  complete_multipart_upload,
  abort_multipart_upload,
  list_multipart_uploads,
  options_preflight,
  not_implemented,
};

// S3's name of the operation ("PutObject", "ListObjectsV2", ...); "NotImplemented" for
// operation::not_implemented (the request carries the specific name).
std::string_view to_string(operation op) noexcept;

struct classify_limits {
  std::size_t max_path_bytes = 8192;   // raw (encoded) path; a 1024-byte key takes up to 3072
  std::size_t max_query_bytes = 8192;  // raw query after '?'
  std::size_t max_query_params = 64;
};

struct request_head {
  std::string_view method;       // as on the wire, e.g. "GET" (case-sensitive, as HTTP methods are)
  std::string_view target;       // origin-form request target: path and optional "?query"
  std::string_view host;         // Host header value, may carry ":port"; empty if absent
  bool has_copy_source = false;  // an x-amz-copy-source header is present
};

struct s3_request {
  operation op = operation::list_buckets;
  std::string_view not_implemented_name;  // S3's name when op == not_implemented
  std::string bucket;                     // empty for service-level requests
  std::string key;                        // decoded; empty for service and bucket requests
  bool virtual_hosted = false;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in request order
  std::string upload_id;                                   // from ?uploadId=
  std::optional<std::uint32_t> part_number;                // from ?partNumber= (1..10000)

  bool has_query(std::string_view name) const noexcept;
  // First value of the parameter `name`, or nullptr.
  const std::string* query_value(std::string_view name) const noexcept;
};

inline constexpr std::uint32_t max_part_number = 10000;

// `endpoint_hosts` are the host names (no port, lowercase) under which virtual-hosted requests
// are recognized, e.g. {"localhost", "s3.example.test"}; empty means path-style only.
result<s3_request> classify(const request_head& head, std::span<const std::string> endpoint_hosts,
                            const classify_limits& limits = {});

// Percent-decodes `in`; `plus_is_space` for query components. False on a truncated or
// non-hex escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace onehop::store
