#pragma once
// What the engine stores about an object, and the on-disk encoding of it.
//
// Every file the engine writes (object, multipart part, upload record, bucket record, bucket
// config) has one layout, so one rename publishes data and metadata together:
//
//   [data: data_size bytes][meta: JSON, meta_len bytes][footer: 24 bytes]
//   footer = "OHOBJ001" | meta_len (u32 LE) | crc32(meta) (u32 LE) | data_size (u64 LE)
//
// The data starts at offset 0 (page aligned, so `sendfile` and readahead work on it), and the
// writer can stream the body before the ETag is known. The footer and metadata are read back
// with caps and checks (magic, lengths that add up to the file size, CRC, JSON shape), since a
// file on disk is still input: a corrupt file gives an error, never a crash.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store_errors.hpp"

namespace onehop::store {

using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

inline constexpr std::string_view footer_magic = "OHOBJ001";
inline constexpr std::size_t footer_size = 24;
// Cap on the encoded metadata, checked when writing and when reading back.
inline constexpr std::size_t max_meta_bytes = 64 * 1024;
// S3's limit on user-defined metadata: the sum of the bytes of names and values.
inline constexpr std::size_t max_user_metadata_bytes = 2048;

// The headers S3 stores with an object and returns on GET/HEAD, as the client sent them.
struct object_headers {
  std::string content_type;
  std::string content_disposition;
  std::string cache_control;
  std::string content_encoding;
  std::string content_language;
  std::string expires;
  // x-amz-meta-* pairs, names without the prefix (the HTTP layer lower-cases them).
  std::vector<std::pair<std::string, std::string>> user_metadata;
  // Verified additional checksums: algorithm ("crc32", "crc32c", "sha1", "sha256") -> base64.
  std::vector<std::pair<std::string, std::string>> checksums;

  friend bool operator==(const object_headers&, const object_headers&) = default;
};

struct object_meta {
  std::string key;
  std::uint64_t size = 0;
  // Unquoted: 32 lower-case hex digits, or that followed by "-N" for a multipart object.
  std::string etag;
  timestamp last_modified{};
  object_headers headers;
  // Number of parts for a multipart object, 0 otherwise.
  std::uint32_t parts_count = 0;

  friend bool operator==(const object_meta&, const object_meta&) = default;
};

// Sum of the bytes of user metadata names and values (what S3 limits to 2 KiB).
std::size_t user_metadata_bytes(const object_headers& h) noexcept;

// JSON text of the metadata (without footer).
std::string encode_meta(const object_meta& meta);

// Parses JSON produced by encode_meta. Unknown members are ignored (forward compatibility);
// missing or mistyped required members, or more than max_meta_bytes, give errc::internal.
result<object_meta> decode_meta(std::string_view json);

// The 24-byte footer for metadata `meta_json` after `data_size` bytes of data.
std::array<char, footer_size> make_footer(std::string_view meta_json, std::uint64_t data_size);

struct footer_fields {
  std::uint32_t meta_len = 0;
  std::uint32_t meta_crc = 0;
  std::uint64_t data_size = 0;
};

// Checks the magic and that the lengths add up to `file_size`.
result<footer_fields> parse_footer(std::string_view footer, std::uint64_t file_size);

// Reads and checks the metadata of an open file of `file_size` bytes. The returned meta's size
// equals the footer's data_size.
result<object_meta> read_meta(int fd, std::uint64_t file_size);

// The same, from an fd of unknown size (fstat).
result<object_meta> read_meta(int fd);

}  // namespace onehop::store
