#pragma once
// Rate limits: token buckets, one per key ("u:<user>", "ip:<address>"), held in memory.
//
// The math (`take`) is a pure function. `rate_limiter` keeps the buckets in 64 shards, each a
// mutex and a hash map looked up by string_view (no allocation for a key already tracked), so
// threads rarely meet on one lock.
//
// Memory is bounded: a shard holds at most ceil(max_keys / 64) buckets. A bucket that has
// refilled to `burst` is the same as no bucket, so when a shard is full it first drops every full
// bucket. When none is full, it evicts the bucket with the most tokens, but only if that bucket
// has at least one token (its key is not being limited right now): eviction may give a key that
// is allowed anyway some extra tokens, but never turns a refusal into a fresh burst. When every
// bucket in the shard is being limited, the new key is refused (fail closed) until a bucket
// can be evicted: an attacker who exhausts one shard's table can delay new keys that hash there
// by at most about burst / rate seconds, but cannot escape the limit. Key IPv6 clients by their
// /64 so one host cannot spray addresses.

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/errors.hpp"

namespace onehop::api {

using steady_time = std::chrono::steady_clock::time_point;

struct token_bucket {
  double tokens = 0;
  steady_time last{};
};

struct take_result {
  bool allowed = false;
  std::chrono::milliseconds retry_after{0};  // when refused: until one token is there (ceil)
};

// Refills `b` by rate_per_second since b.last (capped at burst), then takes one token if there
// is one. A clock that goes backwards refills nothing. rate_per_second > 0, burst >= 1.
take_result take(token_bucket& b, steady_time now, double rate_per_second, double burst) noexcept;

// Tokens `b` would hold at `now` (pure; does not change `b`).
double tokens_at(const token_bucket& b, steady_time now, double rate_per_second,
                 double burst) noexcept;

struct rate_limiter_config {
  double rate_per_second = 5;        // sustained requests per second per key, > 0
  double burst = 20;                 // requests a fresh key may make at once, >= 1
  std::size_t max_keys = 64 * 2048;  // buckets tracked at most (all shards)
  bool enabled = true;               // false: everything passes (benchmarks)
};

// Checks rate_per_second > 0 and finite, burst >= 1 and finite, max_keys >= shard count.
result<void> validate(const rate_limiter_config& config);

class rate_limiter {
 public:
  static constexpr std::size_t shard_count = 64;

  explicit rate_limiter(rate_limiter_config config);
  rate_limiter(const rate_limiter&) = delete;
  rate_limiter& operator=(const rate_limiter&) = delete;

  // Takes one token from `key`'s bucket. Refused: api_error{rate_limited, message,
  // retry_after_seconds} with retry_after_seconds = ceil(retry_after) and at least 1.
  result<void> check(std::string_view key, steady_time now);

  // Drops every bucket that is full at `now` (for a periodic sweeper; not needed for
  // correctness). Returns how many were dropped.
  std::size_t evict_idle(steady_time now);

  // Buckets currently tracked (all shards).
  std::size_t tracked_keys() const;

  const rate_limiter_config& config() const noexcept { return config_; }

 private:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using bucket_map = std::unordered_map<std::string, token_bucket, key_hash, std::equal_to<>>;

  struct alignas(64) shard {
    mutable std::mutex mutex;
    bucket_map buckets;
    // While every bucket is limited, new keys are refused without a scan until this time.
    steady_time saturated_until{};
  };

  // Makes room for one more bucket in a full shard; false when every bucket is limited.
  bool make_room(shard& s, steady_time now);
  api_error refusal(std::chrono::milliseconds retry_after) const;

  rate_limiter_config config_;
  std::size_t shard_capacity_;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace onehop::api
