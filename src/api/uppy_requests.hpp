#pragma once
// Parsers for what Uppy's @uppy/aws-s3 plugin sends to the Companion-style routes (docs/uppy.md,
// /work/shared/reference/uppy-companion-s3-api.md §2 and §6.1), each into a typed value. Pure.
//
// Accepted input:
// - Query strings are application/x-www-form-urlencoded (the plugin builds them with
//   URLSearchParams): `+` is a space, `%XX` a byte. A parameter the route reads must appear at
//   most once; a value at most max_uppy_query_value bytes after decoding.
// - JSON bodies are one JSON object (Boost.JSON, strict RFC 8259). Unlike /api/uploads, unknown
//   members are ignored: Companion ignores them too, and Uppy sends whatever metadata the page
//   attached to the file.
// Every refusal is errc::invalid_request with a message naming the field.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"
#include "api/requests.hpp"

namespace onehop::api {

inline constexpr std::size_t max_uppy_query_value = 2048;
// POST /s3/multipart/{id}/complete: Companion's own limit (1 MB). 10,000 parts at about 60 bytes
// each fit.
inline constexpr std::size_t max_uppy_complete_body = 1024 * 1024;
// GET /s3/multipart/{id}/batch: part numbers per call (as POST /api/uploads/{id}/parts).
inline constexpr std::size_t max_uppy_batch_parts = max_parts_per_request;
// Uppy never cuts a file into parts smaller than this (except the last one): its chunk size is
// max(getChunkSize(file) ?? ceil(size / 10000), 5 MiB).
inline constexpr std::uint64_t uppy_min_part_size = 5ull << 20;

// Decodes form-urlencoded text. nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> form_decode(std::string_view text);

// The decoded value of the parameter named `name` (matched as written, undecoded) in a raw query
// string; nullopt when absent. Errors: repeated, badly encoded, or longer than
// max_uppy_query_value.
result<std::optional<std::string>> uppy_query_param(std::string_view query, std::string_view name);

// POST /s3/multipart: {"filename": str, "type": str, "metadata"?: any, ...}.
// - filename: a non-empty string (then normalised by uppy_filename);
// - type: a string, returned in lower case (the policy decides whether it is allowed).
struct uppy_create_request {
  std::string filename;
  std::string content_type;
};
result<uppy_create_request> parse_uppy_create(std::string_view body);

// A client's file name as onehop records it (it only ever appears in Content-Disposition; keys are
// onehop's own): the part after the last '/' or '\\' (a browser's file.name has none, but
// relative paths do), then at most max_filename_bytes bytes, keeping the end (the extension) and
// whole UTF-8 characters. Errors: empty, "." or "..", not UTF-8, or control characters.
result<std::string> uppy_filename(std::string_view name);

// The highest part number an upload of at most `size` bytes needs when Uppy cuts it:
// ceil(size / 5 MiB), within 1..10000. Part numbers above it are refused, which bounds what a
// client can store before completion checks the size.
unsigned uppy_part_limit(std::uint64_t size) noexcept;

// A part number written in decimal (digits only, at most 5), 1..limit.
result<unsigned> parse_part_number(std::string_view text, unsigned limit);

// `partNumbers=1,2,3`: 1..max_uppy_batch_parts comma-separated part numbers, each 1..limit, no
// duplicates; order kept.
result<std::vector<unsigned>> parse_part_numbers(std::string_view csv, unsigned limit);

// POST /s3/multipart/{id}/complete:
//   {"parts": [{"PartNumber": int, "ETag": str, ...}, ...]}
// PartNumber an integer 1..10000 (a string "1" is refused, as by Companion), no duplicates; ETag
// 1..max_etag_bytes of visible ASCII, quoted or not (Uppy strips the quotes of parts it uploaded
// and keeps those of parts it listed when resuming). Other members are ignored. Returned sorted by
// part number. `{}` (no parts) is accepted: the caller decides whether parts are needed.
result<std::vector<complete_part>> parse_uppy_complete(std::string_view body);

// An ETag with its surrounding double quotes, added when missing (S3's own form).
std::string quoted_etag(std::string_view etag);

}  // namespace onehop::api
