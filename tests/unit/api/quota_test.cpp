#include "api/quota.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
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

TEST(Quota, ReservesUpToTheByteLimitExactly) {
  quota_tracker q(1000, 0);
  ASSERT_TRUE(q.reserve("alice", 600));
  ASSERT_TRUE(q.reserve("alice", 400));  // N: exactly the limit
  auto r = q.reserve("alice", 1);        // N+1
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict);
  EXPECT_EQ(r.error().message, "quota exceeded: 1000 of 1000 bytes used, this upload needs 1");
  EXPECT_EQ(q.usage("alice"), (quota_usage{1000, 2}));  // a refusal changes nothing
  // Users are independent.
  EXPECT_TRUE(q.reserve("bob", 1000));
}

TEST(Quota, CountLimit) {
  quota_tracker q(0, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(q.reserve("alice", 1ull << 40)) << i;  // bytes unlimited
  }
  auto r = q.reserve("alice", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict);
  EXPECT_NE(r.error().message.find("3 of 3"), std::string::npos);
  q.release("alice", 1ull << 40);
  EXPECT_TRUE(q.reserve("alice", 1));
}

TEST(Quota, ZeroMeansUnlimitedAndNothingIsTracked) {
  quota_tracker q(0, 0);
  EXPECT_FALSE(q.limited());
  const auto huge = std::numeric_limits<std::uint64_t>::max() - 5;
  ASSERT_TRUE(q.reserve("alice", huge));
  ASSERT_TRUE(q.reserve("alice", huge));
  q.load("bob", quota_usage{10, 1});
  EXPECT_EQ(q.usage("alice"), quota_usage{});
  EXPECT_EQ(q.tracked_users(), 0u);
  q.release("alice", 1);  // nothing to release, and no harm
  EXPECT_EQ(q.tracked_users(), 0u);
}

TEST(Quota, ACountLimitAloneKeepsByteSumsThatDoNotWrap) {
  quota_tracker q(0, 10);
  EXPECT_TRUE(q.limited());
  const auto huge = std::numeric_limits<std::uint64_t>::max() - 5;
  ASSERT_TRUE(q.reserve("alice", huge));
  ASSERT_TRUE(q.reserve("alice", huge));
  EXPECT_EQ(q.usage("alice").bytes, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(q.usage("alice").count, 2u);
}

TEST(Quota, HugeRequestsCannotOverflowTheCheck) {
  quota_tracker q(1000, 0);
  ASSERT_TRUE(q.reserve("alice", 10));
  EXPECT_FALSE(q.reserve("alice", std::numeric_limits<std::uint64_t>::max()));
  EXPECT_FALSE(q.reserve("alice", std::numeric_limits<std::uint64_t>::max() - 5));
  EXPECT_EQ(q.usage("alice"), (quota_usage{10, 1}));
}

TEST(Quota, ReleaseAndRemoveGiveSpaceBackAndNeverGoNegative) {
  quota_tracker q(100, 10);
  ASSERT_TRUE(q.reserve("alice", 60));
  ASSERT_TRUE(q.reserve("alice", 40));
  EXPECT_FALSE(q.reserve("alice", 1));
  q.release("alice", 40);  // a pending upload expired
  EXPECT_EQ(q.usage("alice"), (quota_usage{60, 1}));
  EXPECT_TRUE(q.reserve("alice", 40));
  q.remove("alice", 60);  // an image was deleted
  EXPECT_EQ(q.usage("alice"), (quota_usage{40, 1}));
  q.remove("alice", 1000);
  EXPECT_EQ(q.usage("alice"), (quota_usage{}));
  q.release("alice", 5);
  q.release("nobody", 5);
  EXPECT_EQ(q.usage("alice"), (quota_usage{}));
  EXPECT_EQ(q.tracked_users(), 0u);  // users with nothing stored take no memory
}

TEST(Quota, LoadWarmsFromTheDatabase) {
  quota_tracker q(upload_policy{});  // 1 GiB, 10000 files
  q.load("alice", {(1ull << 30) - 10, 5});
  EXPECT_TRUE(q.reserve("alice", 10));
  EXPECT_FALSE(q.reserve("alice", 1));
  q.load("bob", {0, 10000});
  EXPECT_FALSE(q.reserve("bob", 1));
  q.load("bob", {});
  EXPECT_TRUE(q.reserve("bob", 1));
  q.load("carol", {});
  EXPECT_EQ(q.tracked_users(), 2u);
}

TEST(Quota, ConcurrentReservationsNeverExceedTheLimit) {
  quota_tracker q(1000, 0);
  std::vector<std::thread> threads;
  std::atomic<int> granted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (q.reserve("shared", 3)) {
          granted.fetch_add(1);
        }
        // Other users on other shards at the same time.
        ASSERT_TRUE(q.reserve(numbered("user", i), 1));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(granted.load(), 333);  // floor(1000 / 3)
  EXPECT_EQ(q.usage("shared"), (quota_usage{999, 333}));
  EXPECT_EQ(q.usage("user7"), (quota_usage{4, 4}));
}

}  // namespace
}  // namespace onehop::api
