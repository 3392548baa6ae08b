#include "api/auth_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "sigv4/crypto.hpp"

namespace onehop::api {

using std::chrono::sys_seconds;

namespace {

struct entry {
  std::size_t hash = 0;
  bool used = false;
  std::string token;
  std::string user;
  sys_seconds expires{};
  sys_seconds not_before{};
  sys_seconds valid_until{};  // min(exp, inserted + max_age)
  sys_seconds inserted{};
};

}  // namespace

// Padded to a cache line so that threads working on neighbouring shards do not share one.
struct alignas(64) token_cache::shard {
  mutable std::mutex mutex;
  std::vector<entry> entries;
  mutable std::uint64_t hits = 0;
  mutable std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
};

token_cache::token_cache(token_cache_options options) : options_(options) {
  options_.shards = std::bit_ceil(std::max<std::size_t>(options_.shards, 1));
  options_.ways = std::max<std::size_t>(options_.ways, 1);
  const std::size_t sets =
      std::bit_ceil(std::max<std::size_t>(options_.entries_per_shard / options_.ways, 1));
  options_.entries_per_shard = sets * options_.ways;
  shard_mask_ = options_.shards - 1;
  set_mask_ = sets - 1;
  shards_ = std::make_unique<shard[]>(options_.shards);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    shards_[i].entries.resize(options_.entries_per_shard);
  }
}

token_cache::~token_cache() = default;

std::size_t token_cache::capacity() const noexcept {
  return options_.shards * options_.entries_per_shard;
}

std::size_t token_cache::locate(std::string_view token, std::size_t& set) const noexcept {
  const std::size_t h = std::hash<std::string_view>{}(token);
  // Low bits pick the shard, the next ones the set, so the two choices are independent.
  set = (h >> std::countr_zero(options_.shards)) & set_mask_;
  return h;
}

std::optional<principal> token_cache::lookup(std::string_view token, sys_seconds now) const {
  std::size_t set = 0;
  const std::size_t h = locate(token, set);
  shard& s = shards_[h & shard_mask_];
  const std::lock_guard lock(s.mutex);
  const auto first = s.entries.begin() + static_cast<std::ptrdiff_t>(set * options_.ways);
  for (auto e = first; e != first + static_cast<std::ptrdiff_t>(options_.ways); ++e) {
    // The hash only narrows the search; the decision is the full comparison, in time that does
    // not reveal how much of a cached token matches the presented one.
    if (e->used && e->hash == h && sigv4::constant_time_equal(e->token, token)) {
      if (now >= e->not_before && now < e->valid_until) {
        ++s.hits;
        return principal{e->user, e->expires, false};
      }
      break;
    }
  }
  ++s.misses;
  return std::nullopt;
}

void token_cache::insert(std::string_view token, std::string_view user, sys_seconds expires,
                         sys_seconds not_before, sys_seconds now) {
  std::size_t set = 0;
  const std::size_t h = locate(token, set);
  shard& s = shards_[h & shard_mask_];
  const std::lock_guard lock(s.mutex);
  const auto first = s.entries.begin() + static_cast<std::ptrdiff_t>(set * options_.ways);
  const auto last = first + static_cast<std::ptrdiff_t>(options_.ways);
  // The same token again (its entry had aged out), else a free or dead slot, else the oldest.
  auto victim = std::find_if(
      first, last, [&](const entry& e) { return e.used && e.hash == h && e.token == token; });
  if (victim == last) {
    victim = std::find_if(first, last, [&](const entry& e) {
      return !e.used || now >= e.valid_until || now < e.inserted;
    });
  }
  if (victim == last) {
    victim = std::min_element(
        first, last, [](const entry& a, const entry& b) { return a.inserted < b.inserted; });
  }
  victim->hash = h;
  victim->used = true;
  victim->token.assign(token);  // reuses the slot's buffer when the new token fits
  victim->user.assign(user);
  victim->expires = expires;
  victim->not_before = not_before;
  victim->inserted = now;
  victim->valid_until = std::min(expires, now + options_.max_age);
  ++s.inserts;
}

auth_cache_stats token_cache::stats() const noexcept {
  auth_cache_stats total;
  for (std::size_t i = 0; i < options_.shards; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    total.hits += shards_[i].hits;
    total.misses += shards_[i].misses;
    total.inserts += shards_[i].inserts;
  }
  return total;
}

}  // namespace onehop::api
