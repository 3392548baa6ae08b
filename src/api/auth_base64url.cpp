#include "api/auth_base64url.hpp"

#include <array>
#include <cstdint>

namespace onehop::api {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) {
    v = invalid;
  }
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return t;
}
constexpr auto table = make_table();

std::uint8_t value_of(char c) noexcept {
  return table[static_cast<unsigned char>(c)];
}

}  // namespace

bool is_base64url(std::string_view text) noexcept {
  if (text.size() % 4 == 1) {
    return false;
  }
  for (const char c : text) {
    if (value_of(c) == invalid) {
      return false;
    }
  }
  // A final group of 2 characters carries 12 bits for 8 data bits, of 3 characters 18 for 16:
  // the unused low bits (4, then 2) must be zero.
  switch (text.size() % 4) {
    case 2:
      return (value_of(text.back()) & 0x0f) == 0;
    case 3:
      return (value_of(text.back()) & 0x03) == 0;
    default:
      return true;
  }
}

std::optional<std::size_t> base64url_decode(std::string_view text, std::span<char> out) noexcept {
  if (!is_base64url(text) || out.size() < base64url_decoded_size(text.size())) {
    return std::nullopt;
  }
  std::size_t n = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    acc = (acc << 6) | value_of(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return n;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(base64url_decoded_size(text.size()), '\0');
  const auto n = base64url_decode(text, std::span<char>(out.data(), out.size()));
  if (!n) {
    return std::nullopt;
  }
  out.resize(*n);
  return out;
}

}  // namespace onehop::api
