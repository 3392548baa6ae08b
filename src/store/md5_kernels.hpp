#pragma once
// The SIMD MD5 block functions behind md5.hpp: each hashes `blocks` 64-byte blocks for every
// lane at once, lane i reading from data[i] onwards. `state` holds a, b, c, d as rows of
// `lanes` words.
//
// Each lives in its own translation unit compiled for its instruction set and called only after
// a CPU check. Those units include nothing but the intrinsics and these integer types, so no
// inline function compiled there with wider instructions can be merged into the rest of the
// program (which must still run on CPUs without them).

#include <cstddef>
#include <cstdint>

namespace onehop::store::md5_kernels {

inline constexpr std::size_t avx512_lanes = 16;
inline constexpr std::size_t avx2_lanes = 8;

#if defined(__x86_64__)
void compress_avx512(std::uint32_t (&state)[4][avx512_lanes],
                     const unsigned char* const (&data)[avx512_lanes], std::size_t blocks);
void compress_avx2(std::uint32_t (&state)[4][avx2_lanes],
                   const unsigned char* const (&data)[avx2_lanes], std::size_t blocks);
#endif

}  // namespace onehop::store::md5_kernels
