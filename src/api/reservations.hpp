#pragma once
// Quota held by uploads that live only in a signed token (no database record): each is
// remembered here until it completes (settle: the bytes stay used, now by the image), is aborted,
// or expires (the sweeper releases it). Lost on restart, which is right: the quota counters are
// then rebuilt from the records, where such uploads never were.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/quota.hpp"

namespace onehop::api {

class reservations {
 public:
  static constexpr std::size_t shard_count = 32;
  reservations();

  void add(std::string_view id_body, std::string_view user, std::uint64_t bytes,
           std::chrono::sys_seconds expires);
  // Forgets the reservation (the upload completed). False when it was not held (already settled,
  // released, or made before a restart).
  bool settle(std::string_view id_body);
  // Forgets it and gives its bytes back to the user's quota (the upload was aborted).
  bool release(std::string_view id_body, quota_tracker& quota);
  // Gives back every reservation past its expiry. Returns how many.
  std::size_t release_expired(std::chrono::sys_seconds now, quota_tracker& quota);

 private:
  struct entry {
    std::string user;
    std::uint64_t bytes;
    std::chrono::sys_seconds expires;
  };
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct alignas(64) shard {
    std::mutex mutex;
    std::unordered_map<std::string, entry, hash, std::equal_to<>> entries;
  };
  shard& shard_for(std::string_view id_body) noexcept;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace onehop::api
