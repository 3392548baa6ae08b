#pragma once
// The keyset cursor of list_images: the position after the last image of a page, as
// (created_at, id). On the wire it is opaque: unpadded base64url of `1.<seconds>.<id>`, where
// `1` is the format version. Pure functions, no I/O.
//
// Accepted grammar of decode_cursor (anything else is errc::invalid_cursor):
//   cursor  = 1*base64url-char, at most max_cursor_chars, canonical (unused bits zero), no `=`
//   decoded = "1." seconds "." id
//   seconds = 1*19 DIGIT, no leading zero unless "0", at most INT64_MAX
//   id      = 1*max_cursor_id_bytes of any byte

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "db/errors.hpp"
#include "sigv4/encoding.hpp"

namespace onehop::db {

inline constexpr std::size_t max_cursor_id_bytes = 256;
inline constexpr std::size_t max_cursor_chars = 512;

struct cursor_position {
  std::chrono::sys_seconds created_at;
  std::string id;

  friend bool operator==(const cursor_position&, const cursor_position&) = default;
};

// `position.id` must be 1..max_cursor_id_bytes bytes and created_at not negative (a bug otherwise:
// the store only encodes positions of stored images).
std::string encode_cursor(const cursor_position& position);

result<cursor_position> decode_cursor(std::string_view cursor);

// Unpadded base64url (RFC 4648 section 5). decode rejects `=`, `+`, `/`, a length of 1 mod 4 and
// non-canonical final symbols.
using sigv4::base64url_encode;
result<std::string> base64url_decode(std::string_view text);

}  // namespace onehop::db
