// SHA1_* are deprecated in OpenSSL 3 in favour of EVP, whose per-call dispatch and allocation we
// avoid here for the same reason crypto.cpp does.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sigv4/checksum.hpp"

#include <zlib.h>

#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#endif

namespace onehop::sigv4 {

namespace {

constexpr std::array<checksum_algorithm, 5> all_algorithms = {
    checksum_algorithm::crc32, checksum_algorithm::crc32c, checksum_algorithm::crc64nvme,
    checksum_algorithm::sha1, checksum_algorithm::sha256};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    char d = b[i];
    if (d >= 'A' && d <= 'Z') {
      d = static_cast<char>(d - 'A' + 'a');
    }
    if (c != d) {
      return false;
    }
  }
  return true;
}

// Slice-by-8 tables for reflected CRCs: table[0] is the classic byte table, table[k][b] is the
// CRC contribution of byte b followed by k zero bytes, so eight bytes are folded per step.
template <class T>
struct crc_tables {
  std::array<std::array<T, 256>, 8> t{};
};

template <class T>
constexpr crc_tables<T> make_crc_tables(T reflected_poly) {
  crc_tables<T> out;
  for (unsigned i = 0; i < 256; ++i) {
    T c = static_cast<T>(i);
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) ? static_cast<T>((c >> 1) ^ reflected_poly) : static_cast<T>(c >> 1);
    }
    out.t[0][i] = c;
  }
  for (unsigned k = 1; k < 8; ++k) {
    for (unsigned i = 0; i < 256; ++i) {
      const T prev = out.t[k - 1][i];
      out.t[k][i] = static_cast<T>((prev >> 8) ^ out.t[0][prev & 0xff]);
    }
  }
  return out;
}

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78.
constexpr crc_tables<std::uint32_t> crc32c_tables = make_crc_tables<std::uint32_t>(0x82F63B78u);
// CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5 (0xAD93D23594C93659 bit-reversed).
constexpr crc_tables<std::uint64_t> crc64nvme_tables =
    make_crc_tables<std::uint64_t>(0x9A6C9329AC4BC9B5ull);

template <class T>
T load_le(const std::uint8_t* p) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  } else {
    T v = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) {
      v = static_cast<T>((v << 8) | p[i]);
    }
    return v;
  }
}

// Raw (un-inverted) register update, slice-by-8.
std::uint32_t crc32c_raw_table(std::uint32_t crc, const std::uint8_t* p, std::size_t n) noexcept {
  const auto& t = crc32c_tables.t;
  while (n >= 8) {
    const std::uint32_t one = load_le<std::uint32_t>(p) ^ crc;
    const std::uint32_t two = load_le<std::uint32_t>(p + 4);
    crc = t[7][one & 0xff] ^ t[6][(one >> 8) & 0xff] ^ t[5][(one >> 16) & 0xff] ^ t[4][one >> 24] ^
          t[3][two & 0xff] ^ t[2][(two >> 8) & 0xff] ^ t[1][(two >> 16) & 0xff] ^ t[0][two >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) {
    crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

std::uint64_t crc64_raw_table(std::uint64_t crc, const std::uint8_t* p, std::size_t n) noexcept {
  const auto& t = crc64nvme_tables.t;
  while (n >= 8) {
    const std::uint64_t v = load_le<std::uint64_t>(p) ^ crc;
    crc = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
          t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) {
    crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

#if defined(__x86_64__)
// Three independent crc32 chains hide the instruction's 3-cycle latency; the partial CRCs are
// then merged by shifting the earlier ones over the later blocks' length with a zero-extension
// table (crc32c of `block` zero bytes is linear in the starting register).
constexpr std::size_t crc32c_block = 4096;

// Multiplies the register by x^(8*crc32c_block) mod P: the effect of appending crc32c_block zero
// bytes. Precomputed per byte position of the register, four tables of 256.
struct crc32c_shift_tables {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
};

// Built at first use: 32 runs of the table CRC over a zero block, then linear combinations.
crc32c_shift_tables make_shift_tables() noexcept {
  crc32c_shift_tables out;
  // The operator is linear, so the image of each single-bit register is enough.
  std::array<std::uint32_t, 32> bit_images{};
  static constexpr std::array<std::uint8_t, crc32c_block> zeros{};
  for (int bit = 0; bit < 32; ++bit) {
    bit_images[static_cast<std::size_t>(bit)] =
        crc32c_raw_table(std::uint32_t{1} << bit, zeros.data(), zeros.size());
  }
  for (unsigned byte = 0; byte < 4; ++byte) {
    for (unsigned v = 0; v < 256; ++v) {
      std::uint32_t img = 0;
      for (unsigned b = 0; b < 8; ++b) {
        if ((v >> b) & 1) {
          img ^= bit_images[byte * 8 + b];
        }
      }
      out.t[byte][v] = img;
    }
  }
  return out;
}

const crc32c_shift_tables& shift_tables() noexcept {
  static const crc32c_shift_tables tables = make_shift_tables();
  return tables;
}

std::uint32_t crc32c_shift(std::uint32_t crc) noexcept {
  const auto& t = shift_tables().t;
  return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_raw_hw(std::uint32_t crc,
                                                              const std::uint8_t* p,
                                                              std::size_t n) noexcept {
  std::uint64_t c0 = crc;
  while (n >= 3 * crc32c_block) {
    std::uint64_t c1 = 0;
    std::uint64_t c2 = 0;
    const std::uint8_t* p1 = p + crc32c_block;
    const std::uint8_t* p2 = p + 2 * crc32c_block;
    for (std::size_t i = 0; i < crc32c_block; i += 8) {
      c0 = _mm_crc32_u64(c0, load_le<std::uint64_t>(p + i));
      c1 = _mm_crc32_u64(c1, load_le<std::uint64_t>(p1 + i));
      c2 = _mm_crc32_u64(c2, load_le<std::uint64_t>(p2 + i));
    }
    std::uint32_t merged =
        crc32c_shift(static_cast<std::uint32_t>(c0)) ^ static_cast<std::uint32_t>(c1);
    merged = crc32c_shift(merged) ^ static_cast<std::uint32_t>(c2);
    c0 = merged;
    p += 3 * crc32c_block;
    n -= 3 * crc32c_block;
  }
  while (n >= 8) {
    c0 = _mm_crc32_u64(c0, load_le<std::uint64_t>(p));
    p += 8;
    n -= 8;
  }
  auto c = static_cast<std::uint32_t>(c0);
  while (n-- > 0) {
    c = _mm_crc32_u8(c, *p++);
  }
  return c;
}

// CRC-64/NVME by carry-less multiplication (PCLMULQDQ). A 16-byte block X = A x^64 + B (A the
// first eight bytes) is folded over the next 16 bytes as X x^128 = A x^192 + B x^128, reduced
// modulo P only as far as two 64x64 products of A and B with x^192 and x^128 mod P. In the
// bit-reflected domain a carry-less product comes out multiplied by x once more, hence the
// exponents 191 and 127. The last 16-byte remainder is reduced with the tables, which avoids a
// Barrett step and its constants.
constexpr std::uint64_t crc64nvme_poly = 0xAD93D23594C93659ull;

constexpr std::uint64_t x_pow_mod_p(unsigned n) {
  std::uint64_t r = 1;
  for (unsigned i = 0; i < n; ++i) {
    const bool carry = (r >> 63) != 0;
    r <<= 1;
    if (carry) {
      r ^= crc64nvme_poly;
    }
  }
  return r;
}

constexpr std::uint64_t reflect64(std::uint64_t v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r = (r << 1) | ((v >> i) & 1);
  }
  return r;
}

constexpr std::uint64_t fold_k1 = reflect64(x_pow_mod_p(191));
constexpr std::uint64_t fold_k2 = reflect64(x_pow_mod_p(127));

__attribute__((target("pclmul,sse4.1"))) std::uint64_t crc64_raw_clmul(std::uint64_t crc,
                                                                       const std::uint8_t* p,
                                                                       std::size_t n) noexcept {
  if (n < 32) {
    return crc64_raw_table(crc, p, n);
  }
  const __m128i k =
      _mm_set_epi64x(static_cast<long long>(fold_k2), static_cast<long long>(fold_k1));
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  x = _mm_xor_si128(x, _mm_cvtsi64_si128(static_cast<long long>(crc)));
  p += 16;
  n -= 16;
  while (n >= 16) {
    const __m128i a = _mm_clmulepi64_si128(x, k, 0x00);
    const __m128i b = _mm_clmulepi64_si128(x, k, 0x11);
    x = _mm_xor_si128(_mm_xor_si128(a, b), _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    p += 16;
    n -= 16;
  }
  alignas(16) std::uint8_t rest[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(rest), x);
  return crc64_raw_table(crc64_raw_table(0, rest, sizeof rest), p, n);
}

bool detect_pclmul() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul") != 0 && __builtin_cpu_supports("sse4.1") != 0;
}

bool detect_sse42() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}
#endif

bool has_hw_crc32c() noexcept {
#if defined(__x86_64__)
  static const bool available = detect_sse42();
  return available;
#else
  return false;
#endif
}

bool has_clmul() noexcept {
#if defined(__x86_64__)
  static const bool available = detect_pclmul();
  return available;
#else
  return false;
#endif
}

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_index(char c) noexcept {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

}  // namespace

std::size_t checksum_size(checksum_algorithm a) noexcept {
  switch (a) {
    case checksum_algorithm::crc32:
    case checksum_algorithm::crc32c:
      return 4;
    case checksum_algorithm::crc64nvme:
      return 8;
    case checksum_algorithm::sha1:
      return 20;
    case checksum_algorithm::sha256:
      return 32;
  }
  return 0;
}

std::string_view checksum_header_name(checksum_algorithm a) noexcept {
  switch (a) {
    case checksum_algorithm::crc32:
      return "x-amz-checksum-crc32";
    case checksum_algorithm::crc32c:
      return "x-amz-checksum-crc32c";
    case checksum_algorithm::crc64nvme:
      return "x-amz-checksum-crc64nvme";
    case checksum_algorithm::sha1:
      return "x-amz-checksum-sha1";
    case checksum_algorithm::sha256:
      return "x-amz-checksum-sha256";
  }
  return {};
}

std::string_view checksum_algorithm_name(checksum_algorithm a) noexcept {
  switch (a) {
    case checksum_algorithm::crc32:
      return "CRC32";
    case checksum_algorithm::crc32c:
      return "CRC32C";
    case checksum_algorithm::crc64nvme:
      return "CRC64NVME";
    case checksum_algorithm::sha1:
      return "SHA1";
    case checksum_algorithm::sha256:
      return "SHA256";
  }
  return {};
}

result<checksum_algorithm> parse_checksum_header_name(std::string_view name) noexcept {
  for (checksum_algorithm a : all_algorithms) {
    if (iequals(name, checksum_header_name(a))) {
      return a;
    }
  }
  return errc::invalid_argument;
}

result<checksum_algorithm> parse_checksum_algorithm(std::string_view value) noexcept {
  for (checksum_algorithm a : all_algorithms) {
    if (iequals(value, checksum_algorithm_name(a))) {
      return a;
    }
  }
  return errc::invalid_argument;
}

std::string checksum_value::to_base64() const {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    out.push_back(base64_alphabet[(v >> 18) & 63]);
    out.push_back(base64_alphabet[(v >> 12) & 63]);
    out.push_back(base64_alphabet[(v >> 6) & 63]);
    out.push_back(base64_alphabet[v & 63]);
  }
  const std::size_t rest = size - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out.push_back(base64_alphabet[(v >> 18) & 63]);
    out.push_back(base64_alphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out.push_back(base64_alphabet[(v >> 18) & 63]);
    out.push_back(base64_alphabet[(v >> 12) & 63]);
    out.push_back(base64_alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

result<checksum_value> parse_checksum_base64(checksum_algorithm a, std::string_view text) noexcept {
  const std::size_t n = checksum_size(a);
  // Canonical padded base64 of n bytes has exactly this length; checking it first also bounds
  // the loop below to at most 44 characters.
  if (text.size() != (n + 2) / 3 * 4) {
    return errc::invalid_digest;
  }
  checksum_value out;
  out.algorithm = a;
  out.size = static_cast<std::uint8_t>(n);
  const std::size_t pad = (3 - n % 3) % 3;
  std::size_t written = 0;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (last && k >= 4 - pad) {
        if (c != '=') {
          return errc::invalid_digest;
        }
        v <<= 6;
        continue;
      }
      const int idx = base64_index(c);
      if (idx < 0) {
        return errc::invalid_digest;
      }
      v = (v << 6) | static_cast<std::uint32_t>(idx);
    }
    const std::size_t take = last ? 3 - pad : 3;
    // Non-canonical encodings (bits set in the padding positions) are rejected so that each
    // digest has exactly one accepted spelling.
    if (last && pad > 0 && (v & ((1u << (8 * pad)) - 1)) != 0) {
      return errc::invalid_digest;
    }
    for (std::size_t k = 0; k < take; ++k) {
      out.bytes[written++] = static_cast<std::uint8_t>(v >> (16 - 8 * k));
    }
  }
  return out;
}

checksum_hasher::checksum_hasher(checksum_algorithm a) noexcept : algorithm_(a) {
  reset();
}

void checksum_hasher::reset() noexcept {
  crc32_ = 0;
  crc64_ = 0;
  if (algorithm_ == checksum_algorithm::sha1) {
    SHA1_Init(&sha1_);
  }
  sha256_.reset();
}

void checksum_hasher::update(std::span<const std::uint8_t> data) noexcept {
  switch (algorithm_) {
    case checksum_algorithm::crc32:
      crc32_ = crc32_update(crc32_, data);
      break;
    case checksum_algorithm::crc32c:
      crc32_ = crc32c_update(crc32_, data);
      break;
    case checksum_algorithm::crc64nvme:
      crc64_ = crc64nvme_update(crc64_, data);
      break;
    case checksum_algorithm::sha1:
      SHA1_Update(&sha1_, data.data(), data.size());
      break;
    case checksum_algorithm::sha256:
      sha256_.update(data);
      break;
  }
}

void checksum_hasher::update(std::string_view data) noexcept {
  update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                       data.size()));
}

checksum_value checksum_hasher::value() const noexcept {
  checksum_value out;
  out.algorithm = algorithm_;
  out.size = static_cast<std::uint8_t>(checksum_size(algorithm_));
  switch (algorithm_) {
    case checksum_algorithm::crc32:
    case checksum_algorithm::crc32c:
      for (int i = 0; i < 4; ++i) {
        out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc32_ >> (24 - 8 * i));
      }
      break;
    case checksum_algorithm::crc64nvme:
      for (int i = 0; i < 8; ++i) {
        out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc64_ >> (56 - 8 * i));
      }
      break;
    case checksum_algorithm::sha1: {
      SHA_CTX copy = sha1_;
      SHA1_Final(out.bytes.data(), &copy);
      break;
    }
    case checksum_algorithm::sha256: {
      sha256_hasher copy = sha256_;
      const sha256_digest d = copy.finish();
      std::memcpy(out.bytes.data(), d.data(), d.size());
      break;
    }
  }
  return out;
}

checksum_value compute_checksum(checksum_algorithm a, std::span<const std::uint8_t> data) noexcept {
  checksum_hasher h(a);
  h.update(data);
  return h.value();
}

checksum_value compute_checksum(checksum_algorithm a, std::string_view data) noexcept {
  checksum_hasher h(a);
  h.update(data);
  return h.value();
}

std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept {
  return static_cast<std::uint32_t>(crc32_z(crc, data.data(), data.size()));
}

std::uint32_t crc32c_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept {
#if defined(__x86_64__)
  if (has_hw_crc32c()) {
    return ~crc32c_raw_hw(~crc, data.data(), data.size());
  }
#endif
  return ~crc32c_raw_table(~crc, data.data(), data.size());
}

std::uint64_t crc64nvme_update(std::uint64_t crc, std::span<const std::uint8_t> data) noexcept {
#if defined(__x86_64__)
  if (has_clmul()) {
    return ~crc64_raw_clmul(~crc, data.data(), data.size());
  }
#endif
  return ~crc64_raw_table(~crc, data.data(), data.size());
}

namespace detail {

std::uint32_t crc32c_update_table(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept {
  return ~crc32c_raw_table(~crc, data.data(), data.size());
}

bool crc32c_hardware_available() noexcept {
  return has_hw_crc32c();
}

std::uint64_t crc64nvme_update_table(std::uint64_t crc,
                                     std::span<const std::uint8_t> data) noexcept {
  return ~crc64_raw_table(~crc, data.data(), data.size());
}

bool crc64nvme_clmul_available() noexcept {
  return has_clmul();
}

}  // namespace detail

}  // namespace onehop::sigv4
