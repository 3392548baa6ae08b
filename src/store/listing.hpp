#pragma once
// ListObjectsV2 over a bucket's in-memory index. Pure: the index and the request parameters in,
// one page out.
//
// Keys are ordered by their raw bytes (std::string compares as unsigned char), which is S3's
// order for UTF-8 keys. With a delimiter, keys whose rest after `prefix` contains it roll up into
// a common prefix (prefix + rest up to and including the first delimiter), each reported once, in
// key order, counting like one key towards max_keys.
//
// Paging: listing starts after `start_after`, or after the position a continuation token
// records (the token wins when both are given, as in S3). The token is opaque to clients:
// base64url of one kind byte ('k' last item was a key, 'p' a common prefix) and that item, so a
// page that ended on a common prefix resumes after every key under it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/object_meta.hpp"
#include "store/store_errors.hpp"

namespace onehop::store {

struct object_summary {
  std::uint64_t size = 0;
  std::string etag;  // unquoted
  timestamp last_modified{};

  friend bool operator==(const object_summary&, const object_summary&) = default;
};

using object_index = std::map<std::string, object_summary, std::less<>>;

inline constexpr std::size_t max_list_keys = 1000;
// A token holds one kind byte and a key or prefix of at most 1024 bytes.
inline constexpr std::size_t max_continuation_token_bytes = 2048;

struct list_params {
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::optional<std::string> continuation_token;
  // Values above max_list_keys are clamped to it, as S3 does.
  std::size_t max_keys = max_list_keys;
};

struct list_entry {
  std::string key;
  object_summary summary;
};

struct list_page {
  std::vector<list_entry> contents;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  // Set when is_truncated.
  std::string next_continuation_token;

  std::size_t key_count() const noexcept { return contents.size() + common_prefixes.size(); }
};

// errc::invalid_argument when the continuation token does not decode.
result<list_page> list_objects(const object_index& index, const list_params& params);

std::string encode_continuation_token(bool is_prefix, std::string_view item);

struct token_position {
  bool is_prefix = false;
  std::string item;
};
std::optional<token_position> decode_continuation_token(std::string_view token);

// The smallest string greater than every string that starts with `prefix`; empty when there is
// none (prefix is all 0xff bytes).
std::string prefix_successor(std::string_view prefix);

}  // namespace onehop::store
