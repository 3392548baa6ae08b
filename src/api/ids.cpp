#include "api/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace onehop::api {
namespace {

constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";

// Value of a base32 character, or -1.
constexpr int base32_value(char c) noexcept {
  if (c >= 'a' && c <= 'z') {
    return c - 'a';
  }
  if (c >= '2' && c <= '7') {
    return 26 + (c - '2');
  }
  return -1;
}

// One RAND_bytes call per 256 ids: a call costs several microseconds whatever its size (OpenSSL
// 3 looks up its DRBG through the library context and takes its lock), the bytes themselves
// little, so a 4 KiB batch keeps an id at a few tens of nanoseconds. Bytes are wiped as they are
// handed out, so a memory disclosure does not reveal ids issued earlier. The process never forks
// after start-up (a forked child would repeat the parent's buffered bytes).
class random_pool {
 public:
  void take(std::span<std::uint8_t, id_random_bytes> out) {
    if (next_ == buffer_.size()) {
      if (RAND_bytes(buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed: no secure random bytes for ids");
      }
      next_ = 0;
    }
    std::memcpy(out.data(), buffer_.data() + next_, out.size());
    OPENSSL_cleanse(buffer_.data() + next_, out.size());
    next_ += out.size();
  }

  ~random_pool() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }

 private:
  std::array<std::uint8_t, 256 * id_random_bytes> buffer_{};
  std::size_t next_ = buffer_.size();
};

}  // namespace

void encode_id(char prefix, std::span<const std::uint8_t, id_random_bytes> random,
               std::span<char, id_length> out) noexcept {
  out[0] = prefix;
  out[1] = '_';
  // Three groups of 5 bytes = 40 bits = 8 characters, each a fixed sequence of shifts the
  // compiler unrolls; then the last byte as 5 bits and 3 bits padded with two zero bits.
  for (std::size_t g = 0; g < 3; ++g) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < 5; ++k) {
      v = (v << 8) | random[g * 5 + k];
    }
    for (std::size_t j = 0; j < 8; ++j) {
      out[2 + g * 8 + j] = alphabet[(v >> (35 - 5 * j)) & 31];
    }
  }
  const std::uint8_t last = random[15];
  out[26] = alphabet[last >> 3];
  out[27] = alphabet[(last & 7) << 2];
}

void new_id(char prefix, std::span<char, id_length> out) {
  thread_local random_pool pool;
  std::array<std::uint8_t, id_random_bytes> random;
  pool.take(random);
  encode_id(prefix, random, out);
  OPENSSL_cleanse(random.data(), random.size());
}

std::string new_upload_id() {
  std::string id(id_length, '\0');
  new_id(upload_id_prefix, std::span<char, id_length>(id.data(), id_length));
  return id;
}

std::string new_image_id() {
  std::string id(id_length, '\0');
  new_id(image_id_prefix, std::span<char, id_length>(id.data(), id_length));
  return id;
}

bool valid_id(std::string_view id, char prefix) noexcept {
  if (id.size() != id_length || id[0] != prefix || id[1] != '_') {
    return false;
  }
  for (std::size_t i = 2; i < id_length; ++i) {
    if (base32_value(id[i]) < 0) {
      return false;
    }
  }
  // Only 3 bits of the last character are data: 2 ids differing there would name one value.
  return (base32_value(id[id_length - 1]) & 3) == 0;
}

}  // namespace onehop::api
