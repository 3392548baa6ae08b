#pragma once
// Multipart uploads: the value types of the engine's multipart operations (object_store.hpp)
// and the pure rules behind them: part order, the multipart ETag, part file names, and the
// ListMultipartUploads page over the in-memory upload index.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/object_meta.hpp"
#include "store/store_errors.hpp"

namespace onehop::store {

inline constexpr std::size_t max_list_parts = 1000;
inline constexpr std::size_t max_list_uploads = 1000;
// Upload ids are 24 random bytes in base64url.
inline constexpr std::size_t upload_id_chars = 32;

struct completed_part {
  std::uint32_t part_number = 0;
  std::string etag;  // quoted or not
};

struct part_info {
  std::uint32_t part_number = 0;
  std::string etag;  // unquoted hex MD5
  std::uint64_t size = 0;
  timestamp last_modified{};
};

struct list_parts_params {
  std::size_t max_parts = max_list_parts;  // clamped to max_list_parts
  std::uint32_t part_number_marker = 0;
};

struct list_parts_page {
  std::string key;
  timestamp initiated{};
  std::vector<part_info> parts;
  bool is_truncated = false;
  std::uint32_t next_part_number_marker = 0;
};

struct upload_info {
  std::string key;
  std::string upload_id;
  timestamp initiated{};
};

struct list_uploads_params {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string upload_id_marker;
  std::size_t max_uploads = max_list_uploads;  // clamped to max_list_uploads
};

struct list_uploads_page {
  std::vector<upload_info> uploads;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

// (key, upload id) -> initiated.
using upload_index = std::map<std::pair<std::string, std::string>, timestamp>;

// invalid_part when empty, invalid_part_order unless part numbers strictly ascend,
// invalid_part_number for a number outside 1..max_parts.
result<void> check_part_list(std::span<const completed_part> parts, std::uint32_t max_parts);

// hex(MD5(concat of the binary part MD5s)) + "-N": the ETag S3 gives a multipart object.
// nullopt when an ETag is not 32 hex digits (surrounding quotes allowed).
std::optional<std::string> multipart_etag(std::span<const std::string> part_etags);

// Strips one pair of surrounding double quotes.
std::string_view unquote_etag(std::string_view etag) noexcept;

// True when `id` has the shape random_token gives upload ids (so it is safe as a file name).
bool is_valid_upload_id(std::string_view id) noexcept;

// "part-00042"
std::string part_file_name(std::uint32_t part_number);
// The inverse; nullopt for any other name (including numbers outside 1..99999).
std::optional<std::uint32_t> parse_part_file_name(std::string_view name) noexcept;

// One ListMultipartUploads page: uploads after (key_marker, upload_id_marker) (after every
// upload of key_marker when upload_id_marker is empty), under `prefix`, rolled up at
// `delimiter` into common prefixes.
list_uploads_page list_uploads(const upload_index& index, const list_uploads_params& params);

}  // namespace onehop::store
