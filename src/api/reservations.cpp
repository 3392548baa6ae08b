#include "api/reservations.hpp"

namespace onehop::api {

reservations::reservations() : shards_(std::make_unique<shard[]>(shard_count)) {}

reservations::shard& reservations::shard_for(std::string_view id_body) noexcept {
  return shards_[std::hash<std::string_view>{}(id_body) % shard_count];
}

void reservations::add(std::string_view id_body, std::string_view user, std::uint64_t bytes,
                       std::chrono::sys_seconds expires) {
  shard& s = shard_for(id_body);
  std::lock_guard lock(s.mutex);
  s.entries.insert_or_assign(std::string(id_body), entry{std::string(user), bytes, expires});
}

bool reservations::settle(std::string_view id_body) {
  shard& s = shard_for(id_body);
  std::lock_guard lock(s.mutex);
  const auto it = s.entries.find(id_body);
  if (it == s.entries.end()) {
    return false;
  }
  s.entries.erase(it);
  return true;
}

bool reservations::release(std::string_view id_body, quota_tracker& quota) {
  entry e;
  {
    shard& s = shard_for(id_body);
    std::lock_guard lock(s.mutex);
    const auto it = s.entries.find(id_body);
    if (it == s.entries.end()) {
      return false;
    }
    e = std::move(it->second);
    s.entries.erase(it);
  }
  quota.release(e.user, e.bytes);
  return true;
}

std::size_t reservations::release_expired(std::chrono::sys_seconds now, quota_tracker& quota) {
  std::size_t released = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    std::vector<entry> expired;
    {
      std::lock_guard lock(shards_[i].mutex);
      auto& entries = shards_[i].entries;
      for (auto it = entries.begin(); it != entries.end();) {
        if (it->second.expires <= now) {
          expired.push_back(std::move(it->second));
          it = entries.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& e : expired) {
      quota.release(e.user, e.bytes);
      ++released;
    }
  }
  return released;
}

}  // namespace onehop::api
