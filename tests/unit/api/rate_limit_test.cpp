#include "api/rate_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace onehop::api {
namespace {

// "<prefix><n>", built by appending: g++ 12 at -O3 misreports `"literal" + std::to_string(n)`
// (-Wrestrict, GCC bug 105329).
std::string numbered(std::string_view prefix, long n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A fake clock: tests never sleep and never read the real time.
const steady_time t0 = steady_time{} + std::chrono::hours(1);

rate_limiter_config make_config(double rate, double burst, std::size_t max_keys = 1 << 16) {
  rate_limiter_config c;
  c.rate_per_second = rate;
  c.burst = burst;
  c.max_keys = max_keys;
  return c;
}

TEST(TokenBucket, BurstThenLimit) {
  token_bucket b{3, t0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(take(b, t0, 1, 3).allowed) << i;
  }
  const take_result r = take(b, t0, 1, 3);
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.retry_after, 1000ms);
}

TEST(TokenBucket, RefillsAtTheRateAndCapsAtBurst) {
  token_bucket b{0, t0};
  EXPECT_DOUBLE_EQ(tokens_at(b, t0 + 500ms, 4, 10), 2.0);
  EXPECT_DOUBLE_EQ(tokens_at(b, t0 + 1h, 4, 10), 10.0);
  // 4 per second: after 1 s exactly 4 more requests pass.
  EXPECT_FALSE(take(b, t0, 4, 10).allowed);
  int allowed = 0;
  while (take(b, t0 + 1s, 4, 10).allowed) {
    ++allowed;
  }
  EXPECT_EQ(allowed, 4);
}

TEST(TokenBucket, RetryAfterIsExact) {
  for (const double rate : {5.0, 3.0, 0.5, 7.0, 1000.0}) {
    token_bucket b{0, t0};
    const take_result r = take(b, t0, rate, 1);
    ASSERT_FALSE(r.allowed);
    const auto expected = milliseconds(static_cast<long long>(std::ceil(1000.0 / rate)));
    EXPECT_EQ(r.retry_after, expected) << rate;
    token_bucket early = b;
    EXPECT_FALSE(take(early, t0 + r.retry_after - 1ms, rate, 1).allowed) << rate;
    EXPECT_TRUE(take(b, t0 + r.retry_after, rate, 1).allowed) << rate;
  }
}

TEST(TokenBucket, ClockGoingBackwardsRefillsNothing) {
  token_bucket b{0, t0};
  EXPECT_FALSE(take(b, t0 - 10s, 1, 5).allowed);
  EXPECT_EQ(b.last, t0);
  EXPECT_FALSE(take(b, t0 + 999ms, 1, 5).allowed);
  EXPECT_TRUE(take(b, t0 + 1s, 1, 5).allowed);
}

TEST(RateLimiter, BurstThenLimitedWithRetryAfter) {
  rate_limiter limiter(make_config(5, 20));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limiter.check("u:alice", t0)) << i;
  }
  auto r = limiter.check("u:alice", t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::rate_limited);
  EXPECT_EQ(r.error().retry_after_seconds, 1u);  // 200 ms, rounded up to whole seconds
  EXPECT_FALSE(limiter.check("u:alice", t0 + 199ms));
  EXPECT_TRUE(limiter.check("u:alice", t0 + 200ms));
  // Other keys are not affected.
  EXPECT_TRUE(limiter.check("u:bob", t0));
  EXPECT_TRUE(limiter.check("ip:10.0.0.1", t0));
}

TEST(RateLimiter, RetryAfterSecondsRoundsUp) {
  rate_limiter limiter(make_config(0.4, 1));  // one token every 2.5 s
  ASSERT_TRUE(limiter.check("ip:1.2.3.4", t0));
  auto r = limiter.check("ip:1.2.3.4", t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().retry_after_seconds, 3u);
  EXPECT_NE(r.error().message.find("3"), std::string::npos);
  EXPECT_FALSE(limiter.check("ip:1.2.3.4", t0 + 2499ms));
  EXPECT_TRUE(limiter.check("ip:1.2.3.4", t0 + 2500ms));
}

TEST(RateLimiter, SustainedRate) {
  rate_limiter limiter(make_config(10, 1));
  int allowed = 0;
  // One attempt per millisecond for 10 s: 10 per second pass, plus the first one.
  for (int ms = 0; ms < 10000; ++ms) {
    allowed += limiter.check("u:x", t0 + milliseconds(ms)) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 100);
}

TEST(RateLimiter, DisabledLetsEverythingPass) {
  auto c = make_config(1, 1);
  c.enabled = false;
  rate_limiter limiter(c);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.check("u:alice", t0));
  }
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimiter, ValidateConfig) {
  EXPECT_TRUE(validate(make_config(5, 20)));
  EXPECT_FALSE(validate(make_config(0, 20)));
  EXPECT_FALSE(validate(make_config(-1, 20)));
  EXPECT_FALSE(validate(make_config(std::nan(""), 20)));
  EXPECT_FALSE(validate(make_config(5, 0.5)));
  EXPECT_TRUE(validate(make_config(5, 1)));
  EXPECT_FALSE(validate(make_config(5, 20, rate_limiter::shard_count - 1)));
  EXPECT_THROW(rate_limiter(make_config(0, 1)), std::invalid_argument);
}

TEST(RateLimiter, ManyKeysStayBounded) {
  constexpr std::size_t cap = 1024;
  rate_limiter limiter(make_config(20, 60, cap));
  // An address spray: 100,000 distinct keys, one request each, 10 µs apart. Each key keeps
  // 59 tokens, so none is limited, and all of them pass.
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(limiter.check(numbered("ip:spray-", i), t0 + std::chrono::microseconds(i)));
    if (i % 100 == 0) {
      ASSERT_LE(limiter.tracked_keys(), cap) << i;
    }
  }
  EXPECT_GT(limiter.tracked_keys(), cap / 2);  // the table was used, not emptied
  // 50 ms after its last request every bucket is full again, the same as absent. One key still
  // in use at that time is kept.
  ASSERT_TRUE(limiter.check("ip:busy", t0 + 1s));
  const std::size_t tracked = limiter.tracked_keys();
  EXPECT_EQ(limiter.evict_idle(t0 + 1s), tracked - 1);
  EXPECT_EQ(limiter.tracked_keys(), 1u);  // the bucket in use stays
}

TEST(RateLimiter, EvictionNeverGivesALimitedKeyAFreshBurst) {
  rate_limiter limiter(make_config(1, 5, rate_limiter::shard_count));  // one bucket per shard
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter.check("u:attacker", t0));
  }
  ASSERT_FALSE(limiter.check("u:attacker", t0));
  // The attacker sprays other keys to push its own bucket out of the table.
  int refused_new = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = numbered("u:spray-", i);
    auto r = limiter.check(key, t0 + milliseconds(i / 100));
    if (!r) {
      ++refused_new;
      EXPECT_EQ(r.error().code, errc::rate_limited);
      EXPECT_GE(r.error().retry_after_seconds, 1u);
    }
    ASSERT_FALSE(limiter.check("u:attacker", t0 + milliseconds(i / 100))) << i;
  }
  EXPECT_GT(refused_new, 0);  // the attacker's shard was full of limited buckets: fail closed
  EXPECT_LE(limiter.tracked_keys(), rate_limiter::shard_count);
  // One second later the attacker has earned one token, exactly as without the spray.
  EXPECT_TRUE(limiter.check("u:attacker", t0 + 1s));
  EXPECT_FALSE(limiter.check("u:attacker", t0 + 1s));
}

TEST(RateLimiter, FullBucketsAreEvictedBeforePartialOnes) {
  // One bucket per shard, burst 2, 1 token per second.
  rate_limiter limiter(make_config(1, 2, rate_limiter::shard_count));
  // Fill the table with limited keys until a new key is refused (its shard is saturated).
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = numbered("k", i);
    if (limiter.check(key, t0)) {
      EXPECT_TRUE(limiter.check(key, t0));
      EXPECT_FALSE(limiter.check(key, t0));
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(limiter.tracked_keys(), rate_limiter::shard_count);
  EXPECT_EQ(refused, 2000 - static_cast<int>(rate_limiter::shard_count));
  // Every tracked key is limited now. After 2 s all of them are full again: new keys evict
  // them and pass.
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(limiter.check(numbered("new", i), t0 + 2s)) << i;
  }
}

TEST(RateLimiter, ConcurrentThreadsShareOneBucketExactly) {
  rate_limiter limiter(make_config(1, 1000));
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.check("u:shared", t0)) {
          allowed.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(RateLimiter, ConcurrentThreadsOnManyKeys) {
  rate_limiter limiter(make_config(1, 3, 4096));
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      // Every thread asks 5 times for each of 500 keys: 3 of the 5 x 4 requests pass per key.
      for (int round = 0; round < 5; ++round) {
        for (int k = 0; k < 500; ++k) {
          if (limiter.check(numbered("ip:", k), t0)) {
            allowed.fetch_add(1);
          }
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(allowed.load(), 500 * 3);
  EXPECT_EQ(limiter.tracked_keys(), 500u);
}

}  // namespace
}  // namespace onehop::api
