#pragma once
// Per-user storage quotas, in memory: bytes and number of objects, counting both completed images
// and pending uploads (an upload reserves its declared size when it starts, so a user cannot
// exceed the quota with many uploads in flight). The database is the record; this is its running
// sum, warmed with load() at start-up.
//
// Lifecycle of one upload's reservation:
//   reserve(user, size)   at POST /api/uploads (409 conflict when it would exceed a limit)
//   (nothing)             at completion: the reservation simply stays, as used space
//   release(user, size)   when a pending upload expires, is aborted or fails verification
//   remove(user, size)    when an image is deleted
//
// With both limits 0 (unlimited) nothing is tracked at all: reserve() always succeeds and the
// other calls do nothing, so memory does not grow with uploads nobody limits.
//
// Thread-safe: 64 shards, each a mutex and a map looked up by string_view.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/errors.hpp"
#include "api/policy.hpp"

namespace onehop::api {

struct quota_usage {
  std::uint64_t bytes = 0;
  std::uint64_t count = 0;
  friend bool operator==(const quota_usage&, const quota_usage&) = default;
};

class quota_tracker {
 public:
  static constexpr std::size_t shard_count = 64;

  // Limits of 0 mean unlimited.
  quota_tracker(std::uint64_t max_bytes, std::uint64_t max_count);
  explicit quota_tracker(const upload_policy& policy);
  quota_tracker(const quota_tracker&) = delete;
  quota_tracker& operator=(const quota_tracker&) = delete;

  // Adds one object of `bytes` to the user's usage, or refuses with 409 conflict ("quota
  // exceeded: <used> of <limit> bytes used, this upload needs <bytes>") and changes nothing.
  result<void> reserve(std::string_view user, std::uint64_t bytes);
  // Takes one object of `bytes` off the user's usage (never below zero).
  void release(std::string_view user, std::uint64_t bytes);
  // An image was deleted: the same bookkeeping as release().
  void remove(std::string_view user, std::uint64_t bytes) { release(user, bytes); }
  // Sets the user's usage (start-up warm-up from the database).
  void load(std::string_view user, quota_usage usage);

  // False when both limits are 0: then nothing is tracked.
  bool limited() const noexcept { return max_bytes_ != 0 || max_count_ != 0; }

  quota_usage usage(std::string_view user) const;
  std::size_t tracked_users() const;

 private:
  struct user_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using usage_map = std::unordered_map<std::string, quota_usage, user_hash, std::equal_to<>>;

  struct alignas(64) shard {
    mutable std::mutex mutex;
    usage_map users;
  };

  shard& shard_for(std::string_view user) const noexcept;

  std::uint64_t max_bytes_;
  std::uint64_t max_count_;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace onehop::api
