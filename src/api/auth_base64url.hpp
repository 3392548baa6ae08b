#pragma once
// Base64url without padding (RFC 4648 section 5), as JOSE uses it (RFC 7515 section 2).
//
// Accepted grammar: characters A-Z a-z 0-9 - _ only, no '=' padding, no whitespace, a length
// whose remainder mod 4 is not 1, and zero bits in the unused low bits of the last character.
// The last rule makes every byte string have exactly one encoding, so a token cannot be altered
// in a way that a lenient decoder would silently ignore.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/encoding.hpp"

namespace onehop::api {

// The decoded size of a canonical base64url text of `encoded_size` characters.
constexpr std::size_t base64url_decoded_size(std::size_t encoded_size) noexcept {
  return encoded_size / 4 * 3 + (encoded_size % 4 == 0 ? 0 : encoded_size % 4 - 1);
}

// True if `text` is canonical unpadded base64url (the grammar above). Empty text is canonical.
bool is_base64url(std::string_view text) noexcept;

// Decodes canonical base64url into `out`, which needs base64url_decoded_size(text.size())
// bytes. Returns the number of bytes written, or nullopt if the text is not canonical or `out`
// is too small. Does not allocate.
std::optional<std::size_t> base64url_decode(std::string_view text, std::span<char> out) noexcept;

// Decodes into a new string (for start-up code such as JWKS parsing).
std::optional<std::string> base64url_decode(std::string_view text);

using sigv4::base64url_encode;

}  // namespace onehop::api
