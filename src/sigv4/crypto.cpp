// The low-level SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but EVP's
// per-call overhead (context allocation, provider dispatch) dominates for 64-byte inputs.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sigv4/crypto.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace onehop::sigv4 {

namespace {

constexpr std::size_t block_size = 64;

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

// Not OpenSSL's one-shot SHA256(): in OpenSSL 3 it goes through EVP (a provider fetch under a
// lock), which costs more than hashing a canonical request.
sha256_digest sha256(std::string_view data) noexcept {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  sha256_digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

sha256_hasher::sha256_hasher() noexcept {
  SHA256_Init(&ctx_);
}

void sha256_hasher::update(std::string_view data) noexcept {
  SHA256_Update(&ctx_, data.data(), data.size());
}

void sha256_hasher::update(std::span<const std::uint8_t> data) noexcept {
  SHA256_Update(&ctx_, data.data(), data.size());
}

sha256_digest sha256_hasher::finish() noexcept {
  sha256_digest out;
  SHA256_Final(out.data(), &ctx_);
  return out;
}

void sha256_hasher::reset() noexcept {
  SHA256_Init(&ctx_);
}

hmac_sha256_key::hmac_sha256_key(std::span<const std::uint8_t> key) noexcept {
  std::uint8_t block[block_size] = {};
  if (key.size() > block_size) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, key.data(), key.size());
    SHA256_Final(block, &ctx);
  } else if (!key.empty()) {
    // memcpy from the null data() of an empty key is undefined behaviour (UBSan aborts).
    std::memcpy(block, key.data(), key.size());
  }
  std::uint8_t pad[block_size];
  for (std::size_t i = 0; i < block_size; ++i) {
    pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x36);
  }
  SHA256_Init(&inner_);
  SHA256_Update(&inner_, pad, block_size);
  for (std::size_t i = 0; i < block_size; ++i) {
    pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x5c);
  }
  SHA256_Init(&outer_);
  SHA256_Update(&outer_, pad, block_size);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

hmac_sha256_key::hmac_sha256_key(std::string_view key) noexcept
    : hmac_sha256_key(std::span<const std::uint8_t>(bytes(key), key.size())) {}

sha256_digest hmac_sha256_key::sign(std::span<const std::uint8_t> message) const noexcept {
  SHA256_CTX ctx = inner_;
  SHA256_Update(&ctx, message.data(), message.size());
  sha256_digest inner_digest;
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  sha256_digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

sha256_digest hmac_sha256_key::sign(std::string_view message) const noexcept {
  return sign(std::span<const std::uint8_t>(bytes(message), message.size()));
}

sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view message) noexcept {
  return hmac_sha256_key(key).sign(message);
}

void hex_encode(std::span<const std::uint8_t> data, char* out) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::uint8_t b : data) {
    *out++ = digits[b >> 4];
    *out++ = digits[b & 0x0f];
  }
}

std::string to_hex(std::span<const std::uint8_t> data) {
  std::string out(data.size() * 2, '\0');
  hex_encode(data, out.data());
  return out;
}

void append_hex(std::string& out, std::span<const std::uint8_t> data) {
  const std::size_t old_size = out.size();
  out.resize(old_size + data.size() * 2);
  hex_encode(data, out.data() + old_size);
}

namespace {

int hex_value(char c) noexcept {
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

}  // namespace

bool hex_decode(std::string_view hex, std::span<std::uint8_t> out) noexcept {
  if (hex.size() != out.size() * 2) {
    return false;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return false;
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace onehop::sigv4
