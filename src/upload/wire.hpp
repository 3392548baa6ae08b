#pragma once
// The JSON the CLI exchanges with the upload API (docs/api.md), and the reasons it prints for
// failed requests. Pure: bytes in, typed values out; no I/O.
//
// Answers are parsed leniently about what the CLI does not use (unknown fields are ignored, so a
// newer API still works) and strictly about what it does: a missing or mistyped field it needs is
// an error naming the field. uploadId is kept as the opaque string the API sent.

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onehop::upload {

// Why an answer could not be used: a message for the user.
struct wire_error {
  std::string message;
};

template <class T>
using wire_result = boost::system::result<T, wire_error>;

using header_list = std::vector<std::pair<std::string, std::string>>;

enum class upload_method { put, post, multipart };

// POST /api/uploads -> 201.
struct create_answer {
  std::string upload_id;
  std::string key;
  upload_method method = upload_method::put;
  std::string url;               // put, post
  header_list headers;           // put
  header_list fields;            // post, in the order given
  std::uint64_t part_size = 0;   // multipart
  std::uint32_t part_count = 0;  // multipart
};

struct part_url {
  std::uint32_t part_number = 0;
  std::string url;
  header_list headers;
};

struct completed_part {
  std::uint32_t part_number = 0;
  std::string etag;
};

// The request bodies.
std::string render_create_request(std::string_view filename, std::string_view content_type,
                                  std::uint64_t size, std::string_view sha256_base64);
std::string render_parts_request(const std::vector<std::uint32_t>& part_numbers);
std::string render_complete_request(const std::vector<completed_part>& parts);

wire_result<create_answer> parse_create_answer(std::string_view body);
// POST /api/uploads/{id}/parts -> {"parts": [...]}.
wire_result<std::vector<part_url>> parse_parts_answer(std::string_view body);
// POST /api/uploads/{id}/complete -> {"image": {"id": ...}}: the image id.
wire_result<std::string> parse_complete_answer(std::string_view body);

// What went wrong with a request that answered `status` with `body`, for the user: the API's
// `{"error": {"code", "message"}}` as "<message> (<code>)"; the storage's S3 XML error as
// "storage: <Code>: <Message>"; otherwise "HTTP <status>" and the start of the body.
std::string failure_reason(unsigned status, std::string_view body);

// The URL path segment for an upload id: percent-encodes everything outside RFC 3986's
// unreserved set, so an opaque id is never reinterpreted.
std::string encode_path_segment(std::string_view segment);

}  // namespace onehop::upload
