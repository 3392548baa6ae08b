#pragma once
// MD5 for ETags, able to hash many streams at once in SIMD lanes.
//
// S3 makes an object's ETag the MD5 of its body, so the store hashes every byte it receives, and
// one MD5 stream cannot go faster than about one byte per 5 cycles (each step depends on the one
// before). Streams of different uploads do not depend on each other: with AVX-512 one instruction
// advances 16 of them (8 with AVX2). md5_update_many() hashes a set of (hasher, data) jobs that
// way, and md5_lane_group collects the data uploads on one thread have received so that they can
// be hashed together (the idea of multi-buffer hashing, as in Intel's ISA-L and MinIO's md5-simd;
// no library in Debian provides it). Every engine is checked against OpenSSL's MD5 in the tests.
// MD5 is no longer a secure hash: it serves only as S3's ETag checksum here, never for a
// signature or an integrity decision against an attacker (SigV4 and x-amz-checksum-* do that).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace onehop::store {

using md5_digest = std::array<std::uint8_t, 16>;

// Block functions the CPU may run. scalar always works.
enum class md5_engine { scalar, avx2, avx512 };
bool md5_engine_available(md5_engine engine) noexcept;
// The widest engine this CPU has (read once).
md5_engine md5_best_engine() noexcept;

class md5_hasher;
struct md5_job {
  md5_hasher* hasher;
  std::string_view data;
};

// Incremental MD5 (RFC 1321).
class md5_hasher {
 public:
  void update(std::string_view data) noexcept;
  // The digest of everything given; the hasher must not be updated afterwards.
  md5_digest finish() noexcept;

 private:
  friend void md5_update_many_with(const md5_job* jobs, std::size_t count,
                                   md5_engine engine) noexcept;

  // Counts `data`, tops up buffer_ from it and hashes buffer_ once full; returns the rest of
  // `data`, whose whole blocks the caller hashes and whose tail it gives to keep_tail().
  std::string_view fill_buffer(std::string_view data) noexcept;
  void keep_tail(std::string_view tail) noexcept;

  std::array<std::uint32_t, 4> state_ = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::uint64_t length_ = 0;  // bytes given so far
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
};

// Same result as jobs[i].hasher->update(jobs[i].data) for each job (hashers must be distinct),
// with the whole blocks of up to 16 jobs hashed side by side.
void md5_update_many(std::span<const md5_job> jobs) noexcept;
// The same with a given engine (tests and benchmarks); an unavailable engine falls back to scalar.
void md5_update_many_with(const md5_job* jobs, std::size_t count, md5_engine engine) noexcept;

// Streams whose data is hashed in place, later, together. Each member defers the bytes it
// received where they lie; before it reuses that memory it calls release(), which hashes its
// oldest deferred piece in one lane and, in the other lanes, as much of every other member's
// oldest piece (up to the same length, so the run is no longer). The later a release, the more
// data waits: a double-buffered upload releases a buffer only when about to refill it, a whole
// buffer's time after filling it.
// Not thread-safe: a group and its members are used by one thread at a time (the store keeps one
// per single-threaded io_context). Members must be gone before their group.
class md5_lane_group {
 public:
  class member {
   public:
    explicit member(md5_lane_group& group);
    ~member();
    member(const member&) = delete;
    member& operator=(const member&) = delete;

    // Data that follows what was deferred before; it must stay unchanged until released.
    void defer(std::string_view data) noexcept;
    // The caller is about to reuse `memory`: hashes whatever deferred data lies in it.
    void release(std::string_view memory) noexcept;
    // Hashes all deferred data, then returns the digest of everything deferred.
    md5_digest finish() noexcept;

    static constexpr std::size_t max_pending = 2;

   private:
    friend class md5_lane_group;
    md5_lane_group* group_;
    md5_hasher hasher_;
    // Deferred data, oldest first: two places for double buffering. A third is never needed by
    // the store; defer() then hashes the oldest on its own.
    std::array<std::string_view, max_pending> pending_{};
    std::size_t pending_count_ = 0;

    void drop_oldest() noexcept;
  };

 private:
  // Hashes the oldest piece of `needing`, and the same length of every other member's oldest.
  void hash_oldest(member& needing) noexcept;

  std::vector<member*> members_;
  std::vector<md5_job> jobs_;  // reused by hash_oldest()
};

}  // namespace onehop::store
