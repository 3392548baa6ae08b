#pragma once
// Strict parsers for the JSON request bodies of docs/api.md, each into a typed value.
//
// Accepted grammar, common to all four bodies:
// - exactly one JSON object (RFC 8259, UTF-8, no comments, no trailing commas), optionally
//   surrounded by whitespace; anything else after it is refused;
// - at most `max_request_body` bytes (errc::too_large above; the caller also caps the body);
// - every key known and present at most once; every value of the documented JSON type (`null`
//   is never accepted, not even for an optional field);
// - integers written as integers: `12`, not `12.0`, `1.2e1` or `"12"`.
// Any other input is errc::invalid_request with a message naming the field and what is wrong
// ("size must be an integer", "unknown field \"sizes\"", "duplicate field \"filename\"").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"

namespace onehop::api {

// The cap on every JSON request body (docs/api.md: 64 KiB).
inline constexpr std::size_t max_request_body = 64 * 1024;
// The largest `size` a client may declare: 2^53, the largest integer a JavaScript number holds
// exactly (so the browser's idea of the size is the server's).
inline constexpr std::uint64_t max_declared_size = std::uint64_t{1} << 53;
inline constexpr std::size_t max_filename_bytes = 255;
inline constexpr std::size_t max_content_type_bytes = 255;
inline constexpr unsigned max_part_number = 10000;         // S3's limit
inline constexpr std::size_t max_parts_per_request = 100;  // POST /api/uploads/{id}/parts
inline constexpr std::size_t max_etag_bytes = 128;
inline constexpr std::size_t max_user_bytes = 64;

// POST /api/uploads:
//   {"filename": str, "contentType": str, "size": int, "sha256"?: str, "method"?: "PUT"|"POST"}
// - filename: 1..255 bytes of valid UTF-8; no control character (C0, DEL, C1); no `/` or `\`
//   (a path is not a name); not "." or "..". Kept as given.
// - contentType: `type/subtype` of RFC 9110 token characters, at most 255 bytes, returned in
//   lower case. Parameters (`image/png; charset=x`) and whitespace are refused, not stripped:
//   no image type takes parameters, so a client sending one is confused, and the type is signed
//   into the upload URL byte for byte.
// - size: integer 1..2^53. (The policy's maxSize is checked by the caller.)
// - sha256: 32 bytes as canonical padded base64 (44 characters) or as 64 hex digits in either
//   case; returned as base64. Empty when absent.
// - method: exactly "PUT" or "POST"; empty when absent (the policy's default_method applies).
struct upload_request {
  std::string filename;
  std::string content_type;
  std::uint64_t size = 0;
  std::string sha256;
  std::string method;
};

// Parses into `out`, reusing the capacity of its strings: once they have grown, a request
// allocates nothing (this is the hot path of POST /api/uploads). On error `out` holds
// unspecified values.
result<void> parse_upload_request(std::string_view body, upload_request& out);

// POST /api/uploads/{id}/parts: {"partNumbers": [int, ...]}: 1..100 entries, each 1..10000, no
// duplicates; order kept. (Whether each is within the upload's partCount is the caller's check.)
struct parts_request {
  std::vector<unsigned> part_numbers;
};
result<parts_request> parse_parts_request(std::string_view body);

// POST /api/uploads/{id}/complete: {} or {"parts": [{"partNumber": int, "etag": str}, ...]}.
// partNumber 1..10000, no duplicates; etag 1..128 bytes of visible ASCII (quotes kept as sent);
// at most 10000 parts. `parts` is returned sorted by part number (S3 wants them ascending) and is
// empty when absent.
struct complete_part {
  unsigned part_number = 0;
  std::string etag;
};
struct complete_request {
  std::vector<complete_part> parts;
};
result<complete_request> parse_complete_request(std::string_view body);

// POST /api/dev/token: {"user": str}: 1..64 bytes of `A-Z a-z 0-9 . _ -`, not starting with a
// dot (the user name becomes a segment of object keys).
struct dev_token_request {
  std::string user;
};
result<dev_token_request> parse_dev_token_request(std::string_view body);

}  // namespace onehop::api
