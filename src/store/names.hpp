#pragma once
// Bucket names and object keys: what the store accepts.
//
// Bucket names follow S3's general-purpose bucket rules: 3..63 bytes of lowercase letters, digits,
// '.' and '-'; first and last byte a letter or digit; no ".." ; not formatted as an IPv4 address;
// not starting with "xn--" or "sthree-" and not ending with "-s3alias" or "--ol-s3". A valid name
// is also a safe single path component (no '/', never "." or "..").
//
// Keys are 1..1024 bytes of valid UTF-8 (no overlong forms, no surrogates); every other byte
// sequence is a legal key, including "..", "//", leading or trailing '/', '%' and '+'. Keys are
// never used as file names.

#include <cstddef>
#include <string_view>

#include "store/parse_errors.hpp"

namespace onehop::store {

inline constexpr std::size_t min_bucket_name_bytes = 3;
inline constexpr std::size_t max_bucket_name_bytes = 63;
inline constexpr std::size_t max_key_bytes = 1024;

// parse_errc::invalid_bucket_name unless `name` follows the rules above.
result<void> validate_bucket_name(std::string_view name) noexcept;

// parse_errc::key_too_long above max_key_bytes, parse_errc::invalid_key when empty or not UTF-8.
result<void> validate_key(std::string_view key) noexcept;

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace onehop::store
