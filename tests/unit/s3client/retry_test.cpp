#include "s3client/retry.hpp"

#include <gtest/gtest.h>

#include "s3client/errors.hpp"

namespace onehop::s3client {
namespace {

using namespace std::chrono;

TEST(retry, backoff_doubles_with_equal_jitter_up_to_the_cap) {
  const retry_policy policy;  // 50 ms, cap 2 s
  EXPECT_EQ(backoff_delay(policy, 1, 0.0, std::nullopt), milliseconds(25));
  EXPECT_EQ(backoff_delay(policy, 1, 1.0, std::nullopt), milliseconds(50));
  EXPECT_EQ(backoff_delay(policy, 2, 1.0, std::nullopt), milliseconds(100));
  EXPECT_EQ(backoff_delay(policy, 3, 0.5, std::nullopt), milliseconds(150));
  EXPECT_EQ(backoff_delay(policy, 6, 1.0, std::nullopt), milliseconds(1600));
  EXPECT_EQ(backoff_delay(policy, 7, 1.0, std::nullopt), milliseconds(2000));  // capped
  EXPECT_EQ(backoff_delay(policy, 7, 0.0, std::nullopt), milliseconds(1000));
  EXPECT_EQ(backoff_delay(policy, 1000, 1.0, std::nullopt), milliseconds(2000));
  EXPECT_EQ(backoff_delay(policy, 1, 7.0, std::nullopt), milliseconds(50));  // clamped draw
}

TEST(retry, retry_after_raises_the_delay_up_to_its_cap) {
  retry_policy policy;
  EXPECT_EQ(backoff_delay(policy, 1, 0.0, seconds(3)), milliseconds(3000));
  EXPECT_EQ(backoff_delay(policy, 7, 1.0, milliseconds(10)), milliseconds(2000));  // never less
  policy.max_retry_after = seconds(5);
  EXPECT_EQ(backoff_delay(policy, 1, 0.0, seconds(5)), milliseconds(5000));
  EXPECT_EQ(backoff_delay(policy, 1, 0.0, seconds(6)), milliseconds(5000));
}

TEST(retry, parse_retry_after) {
  const sys_seconds now = sys_days(2026y / January / 1) + hours(12);
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now), milliseconds(30000));
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("9999999999", now));  // too many digits
  EXPECT_FALSE(parse_retry_after("soon", now));
}

TEST(errors, status_table) {
  EXPECT_EQ(classify_status(404), errc::not_found);
  EXPECT_EQ(classify_status(412), errc::precondition_failed);
  EXPECT_EQ(classify_status(403), errc::access_denied);
  EXPECT_EQ(classify_status(400), errc::bad_request);
  EXPECT_EQ(classify_status(409), errc::bad_request);
  EXPECT_EQ(classify_status(416), errc::bad_request);
  EXPECT_EQ(classify_status(301), errc::bad_request);
  EXPECT_EQ(classify_status(429), errc::unavailable);
  EXPECT_EQ(classify_status(500), errc::unavailable);
  EXPECT_EQ(classify_status(503), errc::unavailable);
  EXPECT_EQ(classify_status(100), errc::protocol);
  EXPECT_TRUE(is_retryable_status(429));
  EXPECT_TRUE(is_retryable_status(599));
  EXPECT_FALSE(is_retryable_status(499));
  EXPECT_FALSE(is_retryable_status(600));
}

TEST(errors, value_on_error_throws_with_the_details) {
  result<int> r = s3_error{errc::not_found, 404, "NoSuchKey", "gone"};
  try {
    (void)r.value();
    FAIL() << "no exception";
  } catch (const s3_exception& e) {
    EXPECT_EQ(e.error().code, errc::not_found);
    EXPECT_STREQ(e.what(), "not_found (404 NoSuchKey): gone");
  }
}

}  // namespace
}  // namespace onehop::s3client
