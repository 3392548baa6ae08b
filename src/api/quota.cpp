#include "api/quota.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace onehop::api {

quota_tracker::quota_tracker(std::uint64_t max_bytes, std::uint64_t max_count)
    : max_bytes_(max_bytes),
      max_count_(max_count),
      shards_(std::make_unique<shard[]>(shard_count)) {}

quota_tracker::quota_tracker(const upload_policy& policy)
    : quota_tracker(policy.quota_bytes, policy.quota_count) {}

quota_tracker::shard& quota_tracker::shard_for(std::string_view user) const noexcept {
  const std::size_t h = user_hash{}(user);
  return shards_[(h >> (sizeof(std::size_t) * 8 - 6)) % shard_count];
}

result<void> quota_tracker::reserve(std::string_view user, std::uint64_t bytes) {
  if (!limited()) {
    return {};
  }
  shard& s = shard_for(user);
  std::lock_guard lock(s.mutex);
  auto it = s.users.find(user);
  const quota_usage used = it == s.users.end() ? quota_usage{} : it->second;
  // Written as "needed > limit - used" so that no sum can overflow.
  if (max_bytes_ != 0 && (used.bytes > max_bytes_ || bytes > max_bytes_ - used.bytes)) {
    return make_error(errc::conflict, "quota exceeded: " + std::to_string(used.bytes) + " of " +
                                          std::to_string(max_bytes_) +
                                          " bytes used, this upload needs " +
                                          std::to_string(bytes));
  }
  if (max_count_ != 0 && used.count >= max_count_) {
    return make_error(errc::conflict, "quota exceeded: " + std::to_string(used.count) + " of " +
                                          std::to_string(max_count_) + " files used");
  }
  if (it == s.users.end()) {
    it = s.users.try_emplace(std::string(user)).first;
  }
  // A limit on the count alone leaves the byte sum unchecked: saturate rather than wrap.
  it->second.bytes = bytes > std::numeric_limits<std::uint64_t>::max() - used.bytes
                         ? std::numeric_limits<std::uint64_t>::max()
                         : used.bytes + bytes;
  it->second.count = used.count + 1;
  return {};
}

void quota_tracker::release(std::string_view user, std::uint64_t bytes) {
  if (!limited()) {
    return;
  }
  shard& s = shard_for(user);
  std::lock_guard lock(s.mutex);
  auto it = s.users.find(user);
  if (it == s.users.end()) {
    return;
  }
  quota_usage& u = it->second;
  u.bytes = bytes > u.bytes ? 0 : u.bytes - bytes;
  u.count = u.count == 0 ? 0 : u.count - 1;
  if (u == quota_usage{}) {
    s.users.erase(it);  // memory follows the users who have something stored
  }
}

void quota_tracker::load(std::string_view user, quota_usage usage) {
  if (!limited()) {
    return;
  }
  shard& s = shard_for(user);
  std::lock_guard lock(s.mutex);
  if (usage == quota_usage{}) {
    if (auto it = s.users.find(user); it != s.users.end()) {
      s.users.erase(it);
    }
    return;
  }
  auto it = s.users.find(user);
  if (it == s.users.end()) {
    it = s.users.try_emplace(std::string(user)).first;
  }
  it->second = usage;
}

quota_usage quota_tracker::usage(std::string_view user) const {
  shard& s = shard_for(user);
  std::lock_guard lock(s.mutex);
  auto it = s.users.find(user);
  return it == s.users.end() ? quota_usage{} : it->second;
}

std::size_t quota_tracker::tracked_users() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    n += shards_[i].users.size();
  }
  return n;
}

}  // namespace onehop::api
