#include "api/auth_cache.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

const sys_seconds t0{seconds{1'700'000'000}};
const sys_seconds no_nbf = sys_seconds::min();

TEST(TokenCache, MissThenHit) {
  token_cache cache;
  EXPECT_EQ(cache.capacity(), 64u * 1024u);
  EXPECT_FALSE(cache.lookup("tok", t0));
  cache.insert("tok", "alice", t0 + seconds{3600}, no_nbf, t0);
  const auto p = cache.lookup("tok", t0 + seconds{1});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->expires, t0 + seconds{3600});
  EXPECT_FALSE(p->api_key);
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.inserts, 1u);
}

TEST(TokenCache, ComparesTheFullToken) {
  token_cache cache;
  const std::string token(600, 'x');
  cache.insert(token, "alice", t0 + seconds{3600}, no_nbf, t0);
  for (std::size_t i : {std::size_t{0}, std::size_t{300}, std::size_t{599}}) {
    std::string other = token;
    other[i] = 'y';
    EXPECT_FALSE(cache.lookup(other, t0)) << i;
  }
  EXPECT_FALSE(cache.lookup(token.substr(0, 599), t0));
  EXPECT_FALSE(cache.lookup(token + "x", t0));
  EXPECT_TRUE(cache.lookup(token, t0));
}

TEST(TokenCache, EntryValidUntilExpiryOrMaxAge) {
  token_cache cache;
  // exp first: valid until exp, not one second more.
  cache.insert("short", "alice", t0 + seconds{10}, no_nbf, t0);
  EXPECT_TRUE(cache.lookup("short", t0 + seconds{9}));
  EXPECT_FALSE(cache.lookup("short", t0 + seconds{10}));
  // max age first: 60 s after insertion.
  cache.insert("long", "bob", t0 + seconds{3600}, no_nbf, t0);
  EXPECT_TRUE(cache.lookup("long", t0 + seconds{59}));
  EXPECT_FALSE(cache.lookup("long", t0 + seconds{60}));
  // Re-inserting restarts the age.
  cache.insert("long", "bob", t0 + seconds{3600}, no_nbf, t0 + seconds{60});
  EXPECT_TRUE(cache.lookup("long", t0 + seconds{119}));
}

TEST(TokenCache, RespectsNotBefore) {
  token_cache cache;
  cache.insert("tok", "alice", t0 + seconds{100}, t0, t0);
  EXPECT_FALSE(cache.lookup("tok", t0 - seconds{1}));  // the clock went back
  EXPECT_TRUE(cache.lookup("tok", t0));
}

TEST(TokenCache, BoundedAndEvictsOldest) {
  // One shard of one set of 4 ways: the fifth token evicts the first inserted.
  token_cache cache(token_cache_options{1, 4, 4, seconds{60}});
  EXPECT_EQ(cache.capacity(), 4u);
  for (int i = 0; i < 4; ++i) {
    cache.insert(concat({"t", std::to_string(i)}), "u", t0 + seconds{3600}, no_nbf,
                 t0 + seconds{i});
  }
  cache.insert("t4", "u", t0 + seconds{3600}, no_nbf, t0 + seconds{4});
  EXPECT_FALSE(cache.lookup("t0", t0 + seconds{5}));
  for (int i = 1; i <= 4; ++i) {
    EXPECT_TRUE(cache.lookup(concat({"t", std::to_string(i)}), t0 + seconds{5})) << i;
  }
}

TEST(TokenCache, ManyTokensStayWithinCapacity) {
  token_cache cache(token_cache_options{4, 16, 4, seconds{60}});
  ASSERT_EQ(cache.capacity(), 64u);
  for (int i = 0; i < 1000; ++i) {
    cache.insert(concat({"token-", std::to_string(i)}), concat({"u", std::to_string(i)}),
                 t0 + seconds{3600}, no_nbf, t0);
  }
  int found = 0;
  for (int i = 0; i < 1000; ++i) {
    if (const auto p = cache.lookup(concat({"token-", std::to_string(i)}), t0)) {
      EXPECT_EQ(p->user, concat({"u", std::to_string(i)}));
      ++found;
    }
  }
  EXPECT_LE(found, 64);
  EXPECT_GT(found, 0);
}

}  // namespace
}  // namespace onehop::api
