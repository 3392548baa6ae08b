// MD5 over 8 lanes with AVX2 (see md5_kernels.hpp for why this unit includes so little).
// Built with -mavx2; md5.cpp calls it only when the CPU has AVX2.

#if defined(__x86_64__)

#include <immintrin.h>

#include "store/md5_kernels.hpp"
#include "store/md5_rounds.hpp"

namespace onehop::store::md5_kernels {

namespace {

struct ops {
  static constexpr bool split_g = false;  // the split costs more vector ops than it saves
  using vec = __m256i;
  static vec settle(vec x) {  // an empty asm the value must pass through as it is
    asm("" : "+x"(x));
    return x;
  }
  static vec add(vec x, vec y) { return _mm256_add_epi32(x, y); }
  static vec constant(std::uint32_t k) { return _mm256_set1_epi32(static_cast<int>(k)); }
  template <int Bits>
  static vec rotate(vec x) {
    return _mm256_or_si256(_mm256_slli_epi32(x, Bits), _mm256_srli_epi32(x, 32 - Bits));
  }
  static vec f(vec b, vec c, vec d) {  // b ? c : d
    return _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)));
  }
  static vec g(vec b, vec c, vec d) {  // d ? b : c
    return _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)));
  }
  static vec h(vec b, vec c, vec d) { return _mm256_xor_si256(_mm256_xor_si256(b, c), d); }
  static vec i(vec b, vec c, vec d) {  // c ^ (b | ~d)
    return _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))));
  }
};

// rows[lane] holds 8 words of one lane; afterwards w[word] holds that word of every lane.
void transpose(const __m256i (&rows)[8], __m256i* w) {
  __m256i pairs[8];
  for (int r = 0; r < 8; r += 2) {
    pairs[r] = _mm256_unpacklo_epi32(rows[r], rows[r + 1]);
    pairs[r + 1] = _mm256_unpackhi_epi32(rows[r], rows[r + 1]);
  }
  // mixed[4 * group + k], half h: word 4 * h + k of rows 4 * group .. 4 * group + 3.
  __m256i mixed[8];
  for (int g = 0; g < 8; g += 4) {
    mixed[g] = _mm256_unpacklo_epi64(pairs[g], pairs[g + 2]);
    mixed[g + 1] = _mm256_unpackhi_epi64(pairs[g], pairs[g + 2]);
    mixed[g + 2] = _mm256_unpacklo_epi64(pairs[g + 1], pairs[g + 3]);
    mixed[g + 3] = _mm256_unpackhi_epi64(pairs[g + 1], pairs[g + 3]);
  }
  for (int k = 0; k < 4; ++k) {
    w[k] = _mm256_permute2x128_si256(mixed[k], mixed[4 + k], 0x20);      // low halves
    w[4 + k] = _mm256_permute2x128_si256(mixed[k], mixed[4 + k], 0x31);  // high halves
  }
}

}  // namespace

void compress_avx2(std::uint32_t (&state)[4][avx2_lanes],
                   const unsigned char* const (&data)[avx2_lanes], std::size_t blocks) {
  __m256i s[4];
  for (int i = 0; i < 4; ++i) {
    s[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state[i]));
  }
  for (std::size_t block = 0; block < blocks; ++block) {
    __m256i w[16];
    for (int half = 0; half < 2; ++half) {
      __m256i rows[8];
      for (std::size_t lane = 0; lane < avx2_lanes; ++lane) {
        rows[lane] = _mm256_loadu_si256(
            reinterpret_cast<const __m256i*>(data[lane] + 64 * block + 32 * half));
      }
      transpose(rows, w + 8 * half);
    }
    md5_rounds::compress_block<ops>(s, w);
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(state[i]), s[i]);
  }
}

}  // namespace onehop::store::md5_kernels

#endif
