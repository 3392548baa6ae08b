#pragma once
// Byte encodings used by SigV4: S3's URI encoding, strict percent-decoding, UTF-8 validation and
// base64.
//
// URI encoding (S3's rule, the same for paths and query components): every byte outside
// `A-Za-z0-9-._~` becomes `%XX` with upper-case hex; `/` is kept only when the caller asks (paths)
// and encoded otherwise (query names and values). Each byte is encoded exactly once: `%` itself
// becomes `%25`, so an already-encoded string is never "recognized".
//
// Percent-decoding grammar: any byte except `%` stands for itself (`+` too, unless the caller says
// it means a space); `%` must be followed by two hex digits of either case. A lone `%`, `%4`, or
// `%zz` is an error (errc::invalid_argument). Decoded bytes are not checked for UTF-8: callers that
// need text call is_valid_utf8.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

// True for `A-Za-z0-9-._~`, the bytes URI encoding leaves as they are.
bool is_unreserved(char c) noexcept;

// Appends the S3 URI encoding of `in` to `out`. Never allocates beyond growing `out`.
void uri_encode_append(std::string& out, std::string_view in, bool keep_slash);
std::string uri_encode(std::string_view in, bool keep_slash);

// Appends the decoded bytes of `in` to `out`. On error `out` holds a partial result.
result<void> percent_decode_append(std::string& out, std::string_view in, bool plus_is_space);
result<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF, no truncated sequences. NUL bytes are valid UTF-8 and accepted here.
bool is_valid_utf8(std::string_view s) noexcept;

// Standard base64 (RFC 4648 section 4, `+/`, with `=` padding), no line breaks.
std::string base64_encode(std::span<const std::uint8_t> data);
std::string base64_encode(std::string_view data);
void base64_encode_append(std::string& out, std::string_view data);

// Base64url (RFC 4648 section 5, `-_`) without padding, as JOSE, upload ids and cursors use it.
std::string base64url_encode(std::string_view data);
void base64url_encode_append(std::string& out, std::string_view data);

// Decodes standard padded base64. Rejects (errc::invalid_argument): a length that is not a
// multiple of 4, characters outside the alphabet, whitespace, `=` anywhere but the last one or two
// positions, and non-canonical encodings (unused low bits of the last symbol not zero). The empty
// string decodes to the empty string.
result<std::string> base64_decode(std::string_view text);

}  // namespace onehop::sigv4
