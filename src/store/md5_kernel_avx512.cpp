// MD5 over 16 lanes with AVX-512F (see md5_kernels.hpp for why this unit includes so little).
// Built with -mavx512f; md5.cpp calls it only when the CPU has AVX-512F.

#if defined(__x86_64__)

#include <immintrin.h>

#include "store/md5_kernels.hpp"
#include "store/md5_rounds.hpp"

namespace onehop::store::md5_kernels {

namespace {

struct ops {
  static constexpr bool split_g = false;  // the split costs more vector ops than it saves
  using vec = __m512i;
  static vec settle(vec x) {  // an empty asm the value must pass through as it is
    asm("" : "+v"(x));
    return x;
  }
  static vec add(vec x, vec y) { return _mm512_add_epi32(x, y); }
  static vec constant(std::uint32_t k) { return _mm512_set1_epi32(static_cast<int>(k)); }
  template <int Bits>
  static vec rotate(vec x) {
    return _mm512_rol_epi32(x, Bits);
  }
  // Truth tables for vpternlogd, from the operands' patterns b = 0xF0, c = 0xCC, d = 0xAA.
  static vec f(vec b, vec c, vec d) {
    return _mm512_ternarylogic_epi32(b, c, d, 0xCA);
  }  // b ? c : d
  static vec g(vec b, vec c, vec d) {
    return _mm512_ternarylogic_epi32(b, c, d, 0xE4);
  }  // d ? b : c
  static vec h(vec b, vec c, vec d) {
    return _mm512_ternarylogic_epi32(b, c, d, 0x96);
  }  // b ^ c ^ d
  static vec i(vec b, vec c, vec d) {
    return _mm512_ternarylogic_epi32(b, c, d, 0x39);
  }  // c ^ (b | ~d)
};

// rows[lane] is one lane's 16-word block; afterwards w[word] holds that word of every lane.
void transpose(const __m512i (&rows)[16], __m512i (&w)[16]) {
  // Within each 128-bit quarter: pairs of rows interleaved, then groups of four rows, so that
  // mixed[4 * group + k] quarter q holds word 4 * q + k of rows 4 * group .. 4 * group + 3.
  __m512i pairs[16];
  for (int r = 0; r < 16; r += 2) {
    pairs[r] = _mm512_unpacklo_epi32(rows[r], rows[r + 1]);
    pairs[r + 1] = _mm512_unpackhi_epi32(rows[r], rows[r + 1]);
  }
  __m512i mixed[16];
  for (int g = 0; g < 16; g += 4) {
    mixed[g] = _mm512_unpacklo_epi64(pairs[g], pairs[g + 2]);
    mixed[g + 1] = _mm512_unpackhi_epi64(pairs[g], pairs[g + 2]);
    mixed[g + 2] = _mm512_unpacklo_epi64(pairs[g + 1], pairs[g + 3]);
    mixed[g + 3] = _mm512_unpackhi_epi64(pairs[g + 1], pairs[g + 3]);
  }
  // Then a 4 x 4 transpose of quarters across mixed[k], [4 + k], [8 + k], [12 + k].
  for (int k = 0; k < 4; ++k) {
    const __m512i even_ab = _mm512_shuffle_i32x4(mixed[k], mixed[4 + k], 0x88);  // a0 a2 b0 b2
    const __m512i odd_ab = _mm512_shuffle_i32x4(mixed[k], mixed[4 + k], 0xDD);   // a1 a3 b1 b3
    const __m512i even_cd = _mm512_shuffle_i32x4(mixed[8 + k], mixed[12 + k], 0x88);
    const __m512i odd_cd = _mm512_shuffle_i32x4(mixed[8 + k], mixed[12 + k], 0xDD);
    w[k] = _mm512_shuffle_i32x4(even_ab, even_cd, 0x88);      // a0 b0 c0 d0
    w[8 + k] = _mm512_shuffle_i32x4(even_ab, even_cd, 0xDD);  // a2 b2 c2 d2
    w[4 + k] = _mm512_shuffle_i32x4(odd_ab, odd_cd, 0x88);    // a1 b1 c1 d1
    w[12 + k] = _mm512_shuffle_i32x4(odd_ab, odd_cd, 0xDD);   // a3 b3 c3 d3
  }
}

}  // namespace

void compress_avx512(std::uint32_t (&state)[4][avx512_lanes],
                     const unsigned char* const (&data)[avx512_lanes], std::size_t blocks) {
  __m512i s[4];
  for (int i = 0; i < 4; ++i) {
    s[i] = _mm512_loadu_si512(state[i]);
  }
  for (std::size_t block = 0; block < blocks; ++block) {
    __m512i rows[16];
    for (std::size_t lane = 0; lane < avx512_lanes; ++lane) {
      rows[lane] = _mm512_loadu_si512(data[lane] + 64 * block);
    }
    __m512i w[16];
    transpose(rows, w);
    md5_rounds::compress_block<ops>(s, w);
  }
  for (int i = 0; i < 4; ++i) {
    _mm512_storeu_si512(state[i], s[i]);
  }
}

}  // namespace onehop::store::md5_kernels

#endif
