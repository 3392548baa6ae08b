#include "store/handlers_config.hpp"

namespace onehop::store {

std::shared_ptr<const parsed_bucket_config> bucket_config_cache::get(std::string_view bucket) {
  std::uint64_t started = 0;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(bucket); it != entries_.end()) {
      return it->second;
    }
    started = generation_;
    ++loads_;
  }
  // The disk read happens outside the lock: a slow read must not stall other buckets' requests.
  auto loaded = load(bucket);
  if (!store_.head_bucket(bucket)) {
    return loaded;  // never cache a missing bucket: it may be created with a config later
  }
  std::lock_guard lock(mutex_);
  // One generation for all buckets keeps this simple; invalidations are rare (config changes),
  // so a needless reload of another bucket costs one small file read.
  if (generation_ == started) {
    entries_.emplace(std::string(bucket), loaded);
  }
  return loaded;
}

void bucket_config_cache::invalidate(std::string_view bucket) {
  std::lock_guard lock(mutex_);
  ++generation_;
  if (const auto it = entries_.find(bucket); it != entries_.end()) {
    entries_.erase(it);
  }
}

std::uint64_t bucket_config_cache::loads() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

std::shared_ptr<const parsed_bucket_config> bucket_config_cache::load(
    std::string_view bucket) const {
  auto config = std::make_shared<parsed_bucket_config>();
  if (auto blob = store_.get_bucket_config(bucket, bucket_config::cors)) {
    if (auto cors = parse_cors_configuration(*blob)) {
      config->cors = std::move(*cors);
    }
  }
  if (auto blob = store_.get_bucket_config(bucket, bucket_config::policy)) {
    if (auto policy = parse_bucket_policy(*blob, bucket)) {
      config->policy = std::move(*policy);
    }
  }
  return config;
}

}  // namespace onehop::store
