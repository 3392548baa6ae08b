#pragma once
// SHA-256 and HMAC-SHA256 for the signing hot path.
//
// OpenSSL's one-shot HMAC() and EVP interfaces cost several times more than the two or three
// compression blocks a SigV4 string to sign needs, so this wraps the low-level SHA-256 (which
// still dispatches to SHA-NI) and keeps an HMAC key as its precomputed inner and outer states.

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace onehop::sigv4 {

inline constexpr std::size_t sha256_size = 32;
using sha256_digest = std::array<std::uint8_t, sha256_size>;

// The hex of sha256(""): the payload hash of every bodiless request.
inline constexpr std::string_view empty_sha256_hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

sha256_digest sha256(std::string_view data) noexcept;

// Incremental SHA-256 for streamed bodies.
class sha256_hasher {
 public:
  sha256_hasher() noexcept;
  void update(std::string_view data) noexcept;
  void update(std::span<const std::uint8_t> data) noexcept;
  // Returns the digest; the hasher must not be used afterwards without reset().
  sha256_digest finish() noexcept;
  void reset() noexcept;

 private:
  SHA256_CTX ctx_;
};

// An HMAC-SHA256 key with its inner (key ^ ipad) and outer (key ^ opad) blocks already absorbed,
// so signing a message costs only the message's blocks plus one outer block.
// Holds key material: it has no operator<< and must never be logged.
class hmac_sha256_key {
 public:
  explicit hmac_sha256_key(std::span<const std::uint8_t> key) noexcept;
  explicit hmac_sha256_key(std::string_view key) noexcept;

  sha256_digest sign(std::string_view message) const noexcept;
  sha256_digest sign(std::span<const std::uint8_t> message) const noexcept;

 private:
  SHA256_CTX inner_;
  SHA256_CTX outer_;
};

// One-shot HMAC-SHA256 (used where the key changes every call, as in key derivation).
sha256_digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view message) noexcept;

// Lower-case hex. `out` must have room for 2 * data.size() characters.
void hex_encode(std::span<const std::uint8_t> data, char* out) noexcept;
std::string to_hex(std::span<const std::uint8_t> data);
void append_hex(std::string& out, std::span<const std::uint8_t> data);

// Decodes exactly 2 * out.size() hex digits (either case). False on any other input.
bool hex_decode(std::string_view hex, std::span<std::uint8_t> out) noexcept;

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace onehop::sigv4
