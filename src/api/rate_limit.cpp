#include "api/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace onehop::api {
namespace {

// Floating-point slack: a client that waits exactly retry_after must find its token there.
constexpr double token_epsilon = 1e-9;

double seconds_between(steady_time from, steady_time to) noexcept {
  return std::chrono::duration<double>(to - from).count();
}

std::chrono::milliseconds wait_for_one(double tokens, double rate_per_second) noexcept {
  const double ms = (1.0 - tokens) * 1000.0 / rate_per_second;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(ms - 1e-6)));
}

}  // namespace

double tokens_at(const token_bucket& b, steady_time now, double rate_per_second,
                 double burst) noexcept {
  if (now <= b.last) {
    return std::min(b.tokens, burst);
  }
  return std::min(burst, b.tokens + seconds_between(b.last, now) * rate_per_second);
}

take_result take(token_bucket& b, steady_time now, double rate_per_second, double burst) noexcept {
  b.tokens = tokens_at(b, now, rate_per_second, burst);
  b.last = std::max(b.last, now);
  if (b.tokens >= 1.0 - token_epsilon) {
    b.tokens = std::max(0.0, b.tokens - 1.0);
    return {true, std::chrono::milliseconds(0)};
  }
  return {false, wait_for_one(b.tokens, rate_per_second)};
}

result<void> validate(const rate_limiter_config& c) {
  if (!(c.rate_per_second > 0) || !std::isfinite(c.rate_per_second)) {
    return make_error(errc::invalid_request, "rate limit: rate must be a positive number");
  }
  if (!(c.burst >= 1) || !std::isfinite(c.burst)) {
    return make_error(errc::invalid_request, "rate limit: burst must be at least 1");
  }
  if (c.max_keys < rate_limiter::shard_count) {
    return make_error(errc::invalid_request, "rate limit: max_keys must be at least " +
                                                 std::to_string(rate_limiter::shard_count));
  }
  return {};
}

rate_limiter::rate_limiter(rate_limiter_config config)
    : config_(config),
      shard_capacity_((config.max_keys + shard_count - 1) / shard_count),
      shards_(std::make_unique<shard[]>(shard_count)) {
  if (config_.enabled) {
    if (auto ok = validate(config_); !ok) {
      throw std::invalid_argument(ok.error().message);  // start-up only
    }
  }
}

api_error rate_limiter::refusal(std::chrono::milliseconds retry_after) const {
  const auto seconds = std::max<long long>(1, (retry_after.count() + 999) / 1000);
  api_error e = make_error(errc::rate_limited,
                           "too many requests: retry in " + std::to_string(seconds) + " s");
  e.retry_after_seconds = static_cast<unsigned>(seconds);
  return e;
}

bool rate_limiter::make_room(shard& s, steady_time now) {
  if (now < s.saturated_until) {
    return false;
  }
  const double rate = config_.rate_per_second;
  const double burst = config_.burst;
  std::size_t freed = 0;
  auto best = s.buckets.end();
  double best_tokens = 1.0 - token_epsilon;
  double soonest = burst / rate;  // seconds until some limited bucket has a token again
  for (auto it = s.buckets.begin(); it != s.buckets.end();) {
    const double t = tokens_at(it->second, now, rate, burst);
    if (t >= burst) {
      it = s.buckets.erase(it);
      ++freed;
      continue;
    }
    if (t >= best_tokens) {
      best = it;
      best_tokens = t;
    } else if (t < 1.0 - token_epsilon) {
      soonest = std::min(soonest, (1.0 - t) / rate);
    }
    ++it;
  }
  if (freed > 0) {
    return true;
  }
  if (best != s.buckets.end()) {
    s.buckets.erase(best);
    return true;
  }
  s.saturated_until =
      now + std::chrono::ceil<steady_time::duration>(std::chrono::duration<double>(soonest));
  return false;
}

result<void> rate_limiter::check(std::string_view key, steady_time now) {
  if (!config_.enabled) {
    return {};
  }
  const std::size_t h = key_hash{}(key);
  // The high bits pick the shard; the map's buckets use the hash modulo a prime.
  shard& s = shards_[(h >> (sizeof(std::size_t) * 8 - 6)) % shard_count];
  std::lock_guard lock(s.mutex);
  auto it = s.buckets.find(key);
  if (it == s.buckets.end()) {
    if (s.buckets.size() >= shard_capacity_ && !make_room(s, now)) {
      return refusal(std::chrono::ceil<std::chrono::milliseconds>(s.saturated_until - now));
    }
    // A new key starts full, exactly as if its evicted bucket had refilled.
    it = s.buckets.try_emplace(std::string(key), token_bucket{config_.burst, now}).first;
  }
  const take_result r = take(it->second, now, config_.rate_per_second, config_.burst);
  if (r.allowed) {
    return {};
  }
  return refusal(r.retry_after);
}

std::size_t rate_limiter::evict_idle(steady_time now) {
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    shard& s = shards_[i];
    std::lock_guard lock(s.mutex);
    dropped += std::erase_if(s.buckets, [&](const auto& entry) {
      return tokens_at(entry.second, now, config_.rate_per_second, config_.burst) >= config_.burst;
    });
  }
  return dropped;
}

std::size_t rate_limiter::tracked_keys() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    n += shards_[i].buckets.size();
  }
  return n;
}

}  // namespace onehop::api
