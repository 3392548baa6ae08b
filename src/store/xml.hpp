#pragma once
// S3 XML: writers for the response documents and parsers for the request bodies.
//
// Writers append to a std::string, with the S3 namespace `http://s3.amazonaws.com/doc/2006-03-01/`
// on the root element (Error documents have none, as in S3). Text is escaped for XML: `& < > " '`
// become entities, and bytes XML 1.0 cannot carry as characters (controls other than tab, LF, CR)
// as well as tab/LF/CR themselves become character references (`&#x1;`), as S3 writes them, so a
// parser's whitespace normalization cannot change a key. Clients that cannot read such references
// ask for `EncodingType=url`, which percent-encodes keys, prefixes, delimiters, markers and
// start-after (every byte but unreserved characters and '/').
//
// Parsers take the raw body, refuse it above a byte cap (parse_errc::max_message_length_exceeded),
// accept the root element with or without the S3 namespace, and return typed values.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/parse_errors.hpp"

namespace onehop::store::xml {

inline constexpr std::string_view s3_namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// "2009-10-12T17:50:30.000Z", S3's format for times in XML documents.
void append_iso8601(std::string& out, timestamp t);
// Appends `text` escaped for XML character data or an attribute value.
void append_escaped(std::string& out, std::string_view text);
// Appends `text` percent-encoded as S3 does for EncodingType=url.
void append_url_encoded(std::string& out, std::string_view text);

struct owner {
  std::string_view id;
  std::string_view display_name;
};

// ---- ListBuckets

struct bucket_entry {
  std::string_view name;
  timestamp created;
};
std::string list_all_my_buckets(std::span<const bucket_entry> buckets, const owner& who);

// ---- ListObjects (v1 and v2)

struct object_entry {
  std::string_view key;
  timestamp last_modified;
  std::string_view etag;  // already quoted, e.g. "\"9b2cf535f27731c974343645a3985328\""
  std::uint64_t size = 0;
  std::string_view storage_class = "STANDARD";
};

struct list_objects_v2_page {
  std::string_view bucket;
  std::string_view prefix;
  std::optional<std::string_view> delimiter;
  std::uint32_t max_keys = 1000;
  bool is_truncated = false;
  std::optional<std::string_view> continuation_token;  // echoed when the request had one
  std::optional<std::string_view> next_continuation_token;
  std::optional<std::string_view> start_after;
  bool encoding_type_url = false;
  std::optional<owner> fetch_owner;  // Owner per object when fetch-owner=true
  std::span<const object_entry> objects;
  std::span<const std::string_view> common_prefixes;
};
std::string list_objects_v2(const list_objects_v2_page& page);

struct list_objects_v1_page {
  std::string_view bucket;
  std::string_view prefix;
  std::string_view marker;
  std::optional<std::string_view> delimiter;
  std::optional<std::string_view> next_marker;  // S3 sends it only when a delimiter was given
  std::uint32_t max_keys = 1000;
  bool is_truncated = false;
  bool encoding_type_url = false;
  owner object_owner;  // v1 always lists the owner
  std::span<const object_entry> objects;
  std::span<const std::string_view> common_prefixes;
};
std::string list_objects_v1(const list_objects_v1_page& page);

// ---- Multipart

std::string initiate_multipart_upload_result(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id);

struct complete_result {
  std::string_view location;
  std::string_view bucket;
  std::string_view key;
  std::string_view etag;  // quoted
};
std::string complete_multipart_upload_result(const complete_result& r);

struct part_entry {
  std::uint32_t part_number = 0;
  timestamp last_modified;
  std::string_view etag;  // quoted
  std::uint64_t size = 0;
};

struct list_parts_page {
  std::string_view bucket;
  std::string_view key;
  std::string_view upload_id;
  std::uint32_t part_number_marker = 0;
  std::uint32_t next_part_number_marker = 0;
  std::uint32_t max_parts = 1000;
  bool is_truncated = false;
  owner initiator;
  std::string_view storage_class = "STANDARD";
  std::span<const part_entry> parts;
};
std::string list_parts_result(const list_parts_page& page);

struct upload_entry {
  std::string_view key;
  std::string_view upload_id;
  timestamp initiated;
  std::string_view storage_class = "STANDARD";
};

struct list_multipart_uploads_page {
  std::string_view bucket;
  std::string_view key_marker;
  std::string_view upload_id_marker;
  std::string_view next_key_marker;
  std::string_view next_upload_id_marker;
  std::string_view prefix;
  std::optional<std::string_view> delimiter;
  std::uint32_t max_uploads = 1000;
  bool is_truncated = false;
  bool encoding_type_url = false;
  owner initiator;
  std::span<const upload_entry> uploads;
  std::span<const std::string_view> common_prefixes;
};
std::string list_multipart_uploads_result(const list_multipart_uploads_page& page);

// ---- DeleteObjects

struct deleted_entry {
  std::string_view key;
};
struct delete_error_entry {
  std::string_view key;
  std::string_view code;
  std::string_view message;
};
// In quiet mode S3 lists only the errors; pass an empty `deleted` span.
std::string delete_result(std::span<const deleted_entry> deleted,
                          std::span<const delete_error_entry> errors);

// ---- Bucket location, errors, POST

// us-east-1 is written as an empty LocationConstraint, as S3 does.
std::string location_constraint(std::string_view region);

struct error_document {
  std::string_view code;
  std::string_view message;
  std::string_view resource;
  std::string_view request_id;
  std::optional<std::string_view> string_to_sign;
  std::optional<std::string_view> canonical_request;
  std::optional<std::string_view> aws_access_key_id;
  // Further S3 elements (e.g. {"Key", key}, {"BucketName", b}, {"Condition", ...}).
  std::span<const std::pair<std::string_view, std::string_view>> extra;
};
std::string error(const error_document& e);

struct post_response {
  std::string_view location;
  std::string_view bucket;
  std::string_view key;
  std::string_view etag;  // quoted
};
// The body S3 returns for success_action_status=201.
std::string post_response_document(const post_response& r);

// ---- Request bodies

inline constexpr std::size_t max_complete_multipart_bytes = 2 * 1024 * 1024;
inline constexpr std::size_t max_complete_multipart_parts = 10000;
inline constexpr std::size_t max_delete_bytes = 2 * 1024 * 1024;
inline constexpr std::size_t max_delete_keys = 1000;
inline constexpr std::size_t max_create_bucket_bytes = 64 * 1024;

struct completed_part {
  std::uint32_t part_number = 0;
  std::string etag;  // without quotes
};
// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"..."</ETag></Part>...
// PartNumber must be 1..10000 (parse_errc::invalid_argument otherwise); the order is kept as
// sent (the engine checks it is ascending). No parts, a missing PartNumber or ETag, or more than
// max_complete_multipart_parts parts -> parse_errc::malformed_xml.
result<std::vector<completed_part>> parse_complete_multipart_upload(std::string_view body);

struct delete_request {
  struct object {
    std::string key;
    std::optional<std::string> version_id;
  };
  std::vector<object> objects;
  bool quiet = false;
};
// <Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>...</Delete>: 1..1000 objects, each
// with a Key; otherwise parse_errc::malformed_xml. Keys are not validated here (S3 reports a bad
// key per entry in the DeleteResult).
result<delete_request> parse_delete(std::string_view body);

// <CreateBucketConfiguration><LocationConstraint>r</LocationConstraint></...>; an empty body
// means no constraint (std::nullopt).
result<std::optional<std::string>> parse_create_bucket_configuration(std::string_view body);

}  // namespace onehop::store::xml
