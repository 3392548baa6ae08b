#pragma once
// Upload ids ("u_...") and image ids ("i_..."): 128 random bits from the CSPRNG, written as 26
// characters of lower-case base32 (RFC 4648 alphabet, no padding) after a one-letter prefix and
// '_'. An id is 28 characters in all. Ids are unguessable, but they are not credentials: every
// lookup is also scoped to the authenticated user.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace onehop::api {

inline constexpr char upload_id_prefix = 'u';
inline constexpr char image_id_prefix = 'i';

inline constexpr std::size_t id_random_bytes = 16;
// ceil(128 / 5): the last character carries 3 bits, its 2 low bits are always zero.
inline constexpr std::size_t id_body_length = 26;
inline constexpr std::size_t id_length = 2 + id_body_length;  // prefix, '_', body

// Pure: the id for 16 given bytes, written into `out`.
void encode_id(char prefix, std::span<const std::uint8_t, id_random_bytes> random,
               std::span<char, id_length> out) noexcept;

// A fresh random id written into `out` (no allocation). The random bytes come from OpenSSL's
// RAND_bytes, fetched in 4 KiB batches into a per-thread buffer. Throws std::runtime_error only if
// the CSPRNG fails, which leaves the process unable to do its job.
void new_id(char prefix, std::span<char, id_length> out);
std::string new_upload_id();
std::string new_image_id();

// The part of an id after "<prefix>_" (what object keys use).
constexpr std::string_view id_body(std::string_view id) noexcept {
  return id.substr(2);
}

// True when `id` is exactly "<prefix>_" followed by 26 characters of [a-z2-7] whose last one is
// canonical (could have been produced by encode_id). Checked before any lookup.
bool valid_id(std::string_view id, char prefix) noexcept;

}  // namespace onehop::api
