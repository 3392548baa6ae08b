#pragma once
// The checksums of S3's flexible-checksum feature (`x-amz-checksum-<name>` headers and trailers):
// CRC32, CRC32C, CRC64NVME, SHA-1 and SHA-256, computed incrementally as a body streams.
//
// S3 sends and stores each value as the base64 of the big-endian digest: CRC32("123456789") is
// 0xCBF43926, sent as "y/Q5Jg==". `checksum_value` holds the raw digest bytes; its base64 form is
// canonical (padded, standard alphabet), which is also the only form `parse_checksum_base64`
// accepts.

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

enum class checksum_algorithm {
  crc32,
  crc32c,
  crc64nvme,
  sha1,
  sha256,
};

// Digest size in bytes: 4, 4, 8, 20, 32.
std::size_t checksum_size(checksum_algorithm a) noexcept;

// "x-amz-checksum-crc32", ... (lower case, as S3 sends them).
std::string_view checksum_header_name(checksum_algorithm a) noexcept;

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256": the `x-amz-sdk-checksum-algorithm` and
// `x-amz-checksum-algorithm` spelling.
std::string_view checksum_algorithm_name(checksum_algorithm a) noexcept;

// Parses a header or trailer name ("x-amz-checksum-crc32c", any case). Any other name, including
// "x-amz-checksum-type" and "x-amz-checksum-algorithm", is errc::invalid_argument.
result<checksum_algorithm> parse_checksum_header_name(std::string_view name) noexcept;

// Parses an `x-amz-sdk-checksum-algorithm` value ("CRC32", any case). Anything else is
// errc::invalid_argument.
result<checksum_algorithm> parse_checksum_algorithm(std::string_view value) noexcept;

// A digest of one of the algorithms above.
struct checksum_value {
  static constexpr std::size_t max_size = 32;

  checksum_algorithm algorithm = checksum_algorithm::crc32;
  std::uint8_t size = 0;
  std::array<std::uint8_t, max_size> bytes{};  // only the first `size` are meaningful, rest zero

  std::span<const std::uint8_t> digest() const noexcept { return {bytes.data(), size}; }
  // Canonical base64 of the digest, as S3 returns it in `x-amz-checksum-*`.
  std::string to_base64() const;

  friend bool operator==(const checksum_value&, const checksum_value&) = default;
};

// Decodes the base64 value of an `x-amz-checksum-*` header or trailer. errc::invalid_digest if it
// is not canonical padded base64 or does not decode to exactly checksum_size(a) bytes.
result<checksum_value> parse_checksum_base64(checksum_algorithm a, std::string_view text) noexcept;

// Incremental checksum of one algorithm. Copyable (copy to checkpoint a running digest).
class checksum_hasher {
 public:
  explicit checksum_hasher(checksum_algorithm a) noexcept;

  checksum_algorithm algorithm() const noexcept { return algorithm_; }
  void update(std::span<const std::uint8_t> data) noexcept;
  void update(std::string_view data) noexcept;
  // The digest of everything updated since construction or reset(); the state is left unchanged,
  // so more data may follow.
  checksum_value value() const noexcept;
  void reset() noexcept;

 private:
  checksum_algorithm algorithm_;
  std::uint32_t crc32_ = 0;
  std::uint64_t crc64_ = 0;
  SHA_CTX sha1_{};
  sha256_hasher sha256_;
};

// One-shot convenience.
checksum_value compute_checksum(checksum_algorithm a, std::span<const std::uint8_t> data) noexcept;
checksum_value compute_checksum(checksum_algorithm a, std::string_view data) noexcept;

// The raw CRC updates, composable like zlib's crc32(): start from 0, feed pieces in order; the
// value after the last piece is the CRC (pre- and post-inversion are inside).
std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept;
std::uint32_t crc32c_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept;
std::uint64_t crc64nvme_update(std::uint64_t crc, std::span<const std::uint8_t> data) noexcept;

namespace detail {
// The portable table-driven CRC32C (used when the CPU has no SSE4.2), exposed for tests.
std::uint32_t crc32c_update_table(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept;
// Whether crc32c_update uses the CPU's crc32 instruction.
bool crc32c_hardware_available() noexcept;
// The portable table-driven CRC64NVME (used when the CPU has no PCLMULQDQ), exposed for tests.
std::uint64_t crc64nvme_update_table(std::uint64_t crc,
                                     std::span<const std::uint8_t> data) noexcept;
// Whether crc64nvme_update uses carry-less multiplication.
bool crc64nvme_clmul_available() noexcept;
}  // namespace detail

}  // namespace onehop::sigv4
