#pragma once
// MD5's 64 steps (RFC 1321, section 3.4) written once for any width: `Ops::vec` is one 32-bit
// word per lane (a plain std::uint32_t for the scalar code, an AVX2 or AVX-512 register for the
// kernels). Included only by md5.cpp and the kernel units; each instantiates it with its own Ops
// type from an anonymous namespace, so every instantiation stays local to its unit.

#include <cstdint>

namespace onehop::store::md5_rounds {

inline constexpr std::uint32_t round_constants[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

inline constexpr int shifts[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

// The message word step `step` reads.
constexpr int word_index(int step) {
  switch (step / 16) {
    case 0:
      return step;
    case 1:
      return (5 * step + 1) % 16;
    case 2:
      return (3 * step + 5) % 16;
    default:
      return (7 * step) % 16;
  }
}

// Steps `Step` to 63 on (a, b, c, d) with the block's words w[0..15]. After each step the
// registers rotate: (a, b, c, d) <- (d, new b, b, c), done by passing them on in that order.
template <class Ops, int Step = 0>
inline void steps(typename Ops::vec a, typename Ops::vec b, typename Ops::vec c,
                  typename Ops::vec d, const typename Ops::vec (&w)[16],
                  typename Ops::vec (&out)[4]) {
  if constexpr (Step == 64) {
    out[0] = a;
    out[1] = b;
    out[2] = c;
    out[3] = d;
  } else {
    constexpr int round = Step / 16;
    // a + w + k does not wait for the previous step; only the mix of b does.
    // Ops::settle keeps the compiler from re-associating the sum so that the constant is added
    // after the mix, on the critical path (a cycle per step: 20% of the AVX-512 kernel's time).
    const typename Ops::vec early = Ops::settle(
        Ops::add(a, Ops::add(w[word_index(Step)], Ops::constant(round_constants[Step]))));
    typename Ops::vec sum;
    if constexpr (round == 0) {
      sum = Ops::add(early, Ops::f(b, c, d));
    } else if constexpr (round == 1 && Ops::split_g) {
      // G = (b & d) | (c & ~d): the halves share no bits, so | is +, and c & ~d is ready early.
      sum = Ops::add(Ops::add(early, Ops::g_without_b(c, d)), Ops::g_with_b(b, d));
    } else if constexpr (round == 1) {
      sum = Ops::add(early, Ops::g(b, c, d));
    } else if constexpr (round == 2) {
      sum = Ops::add(early, Ops::h(b, c, d));
    } else {
      sum = Ops::add(early, Ops::i(b, c, d));
    }
    const typename Ops::vec next_b =
        Ops::add(b, Ops::template rotate<shifts[round][Step % 4]>(sum));
    steps<Ops, Step + 1>(d, next_b, b, c, w, out);
  }
}

// One block: state += steps(state, w).
template <class Ops>
inline void compress_block(typename Ops::vec (&state)[4], const typename Ops::vec (&w)[16]) {
  typename Ops::vec out[4];
  steps<Ops>(state[0], state[1], state[2], state[3], w, out);
  for (int i = 0; i < 4; ++i) {
    state[i] = Ops::add(state[i], out[i]);
  }
}

}  // namespace onehop::store::md5_rounds
