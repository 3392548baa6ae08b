#pragma once
// A bounded cache of verified tokens, so that a client sending the same bearer token on every
// request pays for the JSON parsing and the signature check once per minute, not per request.
//
// Key: the full token bytes (compared in full, in constant time for a given length). Value: the
// user, the token's exp and its not-before. An entry authenticates only while
//   not_before <= now < min(exp, inserted + max_age),
// so an expired token is never accepted from the cache, and configuration such as the leeway
// is applied exactly as on a miss (only tokens that passed every check are inserted).
//
// Layout: `shards` independent shards, each with its own mutex, each a set-associative table of
// `entries_per_shard` entries in sets of `ways`. The shard and set come from the token's hash;
// an insert into a full set replaces the entry inserted longest ago. Memory is bounded by the
// entry count times the token and user sizes (both capped by the authenticator).
// Lookups do not allocate, except to copy out a user name longer than the small-string buffer.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/auth.hpp"

namespace onehop::api {

struct token_cache_options {
  std::size_t shards = 64;               // rounded up to a power of two
  std::size_t entries_per_shard = 1024;  // rounded up to a multiple of `ways`, sets a power of two
  std::size_t ways = 4;
  std::chrono::seconds max_age{60};
};

class token_cache {
 public:
  explicit token_cache(token_cache_options options = {});
  ~token_cache();
  token_cache(const token_cache&) = delete;
  token_cache& operator=(const token_cache&) = delete;

  std::optional<principal> lookup(std::string_view token, std::chrono::sys_seconds now) const;

  void insert(std::string_view token, std::string_view user, std::chrono::sys_seconds expires,
              std::chrono::sys_seconds not_before, std::chrono::sys_seconds now);

  auth_cache_stats stats() const noexcept;
  std::size_t capacity() const noexcept;

 private:
  struct shard;
  std::size_t locate(std::string_view token, std::size_t& set) const noexcept;

  token_cache_options options_;
  std::size_t shard_mask_ = 0;
  std::size_t set_mask_ = 0;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace onehop::api
