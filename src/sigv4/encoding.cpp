#include "sigv4/encoding.hpp"

#include <array>

#include "sigv4/utf8.hpp"

namespace onehop::sigv4 {

namespace {

constexpr char upper_hex[] = "0123456789ABCDEF";

constexpr std::array<bool, 256> make_unreserved_table() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) {
    t[static_cast<std::size_t>(c)] = true;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    t[static_cast<std::size_t>(c)] = true;
  }
  for (int c = '0'; c <= '9'; ++c) {
    t[static_cast<std::size_t>(c)] = true;
  }
  for (char c : {'-', '.', '_', '~'}) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}

constexpr std::array<bool, 256> unreserved_table = make_unreserved_table();

constexpr std::array<bool, 256> make_keep_with_slash_table() {
  std::array<bool, 256> t = make_unreserved_table();
  t['/'] = true;
  return t;
}

constexpr std::array<bool, 256> keep_with_slash_table = make_keep_with_slash_table();

// -1 for a byte that is not a hex digit.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_base64_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) {
    v = -1;
  }
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return t;
}

constexpr std::array<std::int8_t, 256> base64_table = make_base64_table();

}  // namespace

bool is_unreserved(char c) noexcept {
  return unreserved_table[static_cast<unsigned char>(c)];
}

void uri_encode_append(std::string& out, std::string_view in, bool keep_slash) {
  const auto& keep = keep_slash ? keep_with_slash_table : unreserved_table;
  // Most keys and values need no escape at all, or only late: copy the clean prefix in one go.
  std::size_t clean = 0;
  while (clean < in.size() && keep[static_cast<unsigned char>(in[clean])]) {
    ++clean;
  }
  out.append(in.data(), clean);
  if (clean == in.size()) {
    return;
  }
  const std::string_view rest = in.substr(clean);
  std::size_t extra = 0;
  for (char c : rest) {
    extra += keep[static_cast<unsigned char>(c)] ? 0 : 2;
  }
  const std::size_t start = out.size();
  out.resize(start + rest.size() + extra);
  char* p = out.data() + start;
  for (char c : rest) {
    const auto b = static_cast<unsigned char>(c);
    if (keep[b]) {
      *p++ = c;
    } else {
      *p++ = '%';
      *p++ = upper_hex[b >> 4];
      *p++ = upper_hex[b & 0x0f];
    }
  }
}

std::string uri_encode(std::string_view in, bool keep_slash) {
  std::string out;
  uri_encode_append(out, in, keep_slash);
  return out;
}

result<void> percent_decode_append(std::string& out, std::string_view in, bool plus_is_space) {
  out.reserve(out.size() + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) {
        return errc::invalid_argument;
      }
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return errc::invalid_argument;
      }
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return {};
}

result<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  auto r = percent_decode_append(out, in, plus_is_space);
  if (!r) {
    return r.error();
  }
  return out;
}

int utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    return 1;
  }
  int length = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
    hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    lo = b0 == 0xF0 ? 0x90 : 0x80;
    hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
  } else {
    return -1;  // a continuation byte alone, C0, C1, F5..FF
  }
  for (int k = 1; k < length; ++k) {
    const std::size_t at = i + static_cast<std::size_t>(k);
    if (at >= s.size()) {
      return -k;
    }
    const auto b = static_cast<unsigned char>(s[at]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
      return -k;
    }
  }
  return length;
}

char32_t utf8_code_point(std::string_view s, std::size_t i, int length) noexcept {
  static constexpr unsigned char lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t cp = static_cast<unsigned char>(s[i]) & lead_bits[length];
  for (int k = 1; k < length; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
  }
  return cp;
}

bool is_valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const int length = utf8_sequence(s, i);
    if (length < 0) {
      return false;
    }
    i += static_cast<std::size_t>(length);
  }
  return true;
}

namespace {

constexpr char base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Three bytes to four symbols at a time, writing into the string's own storage; `pad` fills the
// last group to four symbols with '='.
void encode_append(std::string& out, std::string_view data, const char* alphabet, bool pad) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  const std::size_t tail = n % 3;
  const std::size_t start = out.size();
  out.resize(start + n / 3 * 4 + (tail == 0 ? 0 : (pad ? 4 : tail + 1)));
  char* o = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = alphabet[(v >> 18) & 0x3f];
    *o++ = alphabet[(v >> 12) & 0x3f];
    *o++ = alphabet[(v >> 6) & 0x3f];
    *o++ = alphabet[v & 0x3f];
  }
  if (tail == 0) {
    return;
  }
  const std::uint32_t v =
      (std::uint32_t{p[i]} << 16) | (tail == 2 ? std::uint32_t{p[i + 1]} << 8 : 0);
  *o++ = alphabet[(v >> 18) & 0x3f];
  *o++ = alphabet[(v >> 12) & 0x3f];
  if (tail == 2) {
    *o++ = alphabet[(v >> 6) & 0x3f];
  } else if (pad) {
    *o++ = '=';
  }
  if (pad) {
    *o++ = '=';
  }
}

}  // namespace

void base64_encode_append(std::string& out, std::string_view data) {
  encode_append(out, data, base64_alphabet, true);
}

void base64url_encode_append(std::string& out, std::string_view data) {
  encode_append(out, data, base64url_alphabet, false);
}

std::string base64url_encode(std::string_view data) {
  std::string out;
  base64url_encode_append(out, data);
  return out;
}

std::string base64_encode(std::string_view data) {
  std::string out;
  base64_encode_append(out, data);
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> data) {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return errc::invalid_argument;
  }
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    pad = text[text.size() - 2] == '=' ? 2 : 1;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  const std::size_t body = text.size() - pad;
  std::uint32_t acc = 0;
  std::size_t bits = 0;
  for (std::size_t i = 0; i < body; ++i) {
    const std::int8_t v = base64_table[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return errc::invalid_argument;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits (2 after "xx==", 4 after "xxx=") must be zero, or two texts decode the same.
  if ((acc & ((1u << bits) - 1)) != 0) {
    return errc::invalid_argument;
  }
  return out;
}

}  // namespace onehop::sigv4
