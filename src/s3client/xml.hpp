#pragma once
// Pure parsers and renderers for the S3 XML documents the client exchanges (pugixml), and the
// HTTP date format of Last-Modified and Retry-After. No I/O.
//
// Parsers accept what S3, MinIO, R2 and the embedded store send: the root element's name is
// checked, namespaces are ignored, unknown elements are skipped. Keys in listings are
// percent-decoded when the document says EncodingType=url (the client always asks for it, so
// keys with bytes XML 1.0 cannot carry survive). Numbers must be plain decimal; times ISO 8601.
// Every failure is errc::protocol with a message naming the document and the field.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "s3client/errors.hpp"
#include "s3client/types.hpp"

namespace onehop::s3client::xml {

// The largest XML document the client reads (responses over it are errc::protocol).
inline constexpr std::size_t max_document_size = 1 << 20;

// `<Error><Code>..</Code><Message>..</Message></Error>`; nullopt when `body` is not one.
struct error_document {
  std::string code;
  std::string message;
};
std::optional<error_document> parse_error(std::string_view body);

// InitiateMultipartUploadResult -> UploadId (non-empty).
result<std::string> parse_initiate(std::string_view body);

// CompleteMultipartUploadResult -> ETag. A 200 response may still carry `<Error>` (S3 sends the
// status line before it knows the outcome): that case comes back in `error`.
struct complete_outcome {
  std::string etag;
  std::optional<error_document> error;
};
result<complete_outcome> parse_complete(std::string_view body);

struct parts_page {
  std::vector<part_info> parts;
  bool truncated = false;
  unsigned next_marker = 0;  // NextPartNumberMarker
};
result<parts_page> parse_list_parts(std::string_view body);

// ListBucketResult (V2). A truncated page without NextContinuationToken is errc::protocol.
result<object_page> parse_list_objects(std::string_view body);

struct uploads_page {
  std::vector<multipart_entry> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
result<uploads_page> parse_list_uploads(std::string_view body);

// CompleteMultipartUpload request body, parts in the order given.
std::string render_complete(std::span<const completed_part> parts);

// IMF-fixdate (RFC 9110 5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`. Only this form (what S3 and
// every current server send); nullopt otherwise.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

}  // namespace onehop::s3client::xml
