#pragma once
// UTF-8 sequences, by Unicode's Table 3-7 of well-formed byte sequences: no overlong forms, no
// surrogates, nothing above U+10FFFF. One definition for every parser and writer of names,
// filenames and JSON strings.

#include <cstddef>
#include <string_view>

namespace onehop::sigv4 {

// At s[i] (i < s.size()): the length (1..4) of the well-formed sequence there, or, negated, the
// length of the maximal ill-formed subpart there (at least 1): the unit a decoder replaces with
// one U+FFFD.
int utf8_sequence(std::string_view s, std::size_t i) noexcept;

// The code point of the well-formed sequence of `length` bytes at s[i] (from utf8_sequence).
char32_t utf8_code_point(std::string_view s, std::size_t i, int length) noexcept;

}  // namespace onehop::sigv4
