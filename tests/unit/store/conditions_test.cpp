// Conditional GET/HEAD/PUT evaluation and HTTP dates.

#include "store/conditions.hpp"

#include <gtest/gtest.h>

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

using namespace std::chrono;
using outcome = condition_outcome;

// Sun, 06 Nov 1994 08:49:37 GMT
const sys_seconds t0 = sys_days(year(1994) / November / 6) + hours(8) + minutes(49) + seconds(37);
const timestamp lm = timestamp(t0) + milliseconds(500);  // sub-second part is ignored
constexpr std::string_view etag = "abc123";
constexpr std::string_view date_before = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr std::string_view date_equal = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view date_after = "Sun, 06 Nov 1994 08:49:38 GMT";

outcome read(conditional_headers h) {
  return evaluate_read_conditions(h, etag, lm);
}

TEST(http_date, three_formats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t0);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t0);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), t0);
  EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT "), t0);
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-30 00:00:00 GMT"),
            sys_days(year(2030) / January / 1));
}

TEST(http_date, rejects) {
  for (std::string_view bad :
       {"", "yesterday", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTX", "1994-11-06T08:49:37Z", "Sun Nov 6 08:49:37 1994"}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

TEST(http_date, length_at_n_and_n_plus_one) {
  std::string s = "Sun, 06 Nov 1994 08:49:37 GMT";
  s.append(max_http_date_bytes - s.size(), ' ');
  EXPECT_EQ(parse_http_date(s), t0);
  EXPECT_FALSE(parse_http_date(s + " "));
}

TEST(http_date, formats_imf_fixdate) {
  EXPECT_EQ(format_http_date(t0), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(sys_days(year(2026) / January / 1)), "Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(parse_http_date(format_http_date(t0 + hours(24 * 400))), t0 + hours(24 * 400));
}

TEST(etag_lists, matching) {
  EXPECT_TRUE(etag_list_matches("\"abc123\"", etag));
  EXPECT_TRUE(etag_list_matches("abc123", etag));
  EXPECT_TRUE(etag_list_matches("W/\"abc123\"", etag));
  EXPECT_TRUE(etag_list_matches("\"x\", \"abc123\"", etag));
  EXPECT_TRUE(etag_list_matches(" * ", etag));
  EXPECT_FALSE(etag_list_matches("\"abc12\"", etag));
  EXPECT_FALSE(etag_list_matches("\"x\",,\"y\"", etag));
  EXPECT_FALSE(etag_list_matches("", etag));
}

TEST(read_conditions, if_match) {
  EXPECT_EQ(read({.if_match = "\"abc123\""}), outcome::proceed);
  EXPECT_EQ(read({.if_match = "\"other\""}), outcome::precondition_failed);
  EXPECT_EQ(read({.if_match = "*"}), outcome::proceed);
}

TEST(read_conditions, if_unmodified_since) {
  EXPECT_EQ(read({.if_unmodified_since = date_after}), outcome::proceed);
  EXPECT_EQ(read({.if_unmodified_since = date_equal}), outcome::proceed);
  EXPECT_EQ(read({.if_unmodified_since = date_before}), outcome::precondition_failed);
  EXPECT_EQ(read({.if_unmodified_since = "garbage"}), outcome::proceed);
  // S3: If-Match true wins over If-Unmodified-Since false.
  EXPECT_EQ(read({.if_match = "\"abc123\"", .if_unmodified_since = date_before}), outcome::proceed);
}

TEST(read_conditions, if_none_match) {
  EXPECT_EQ(read({.if_none_match = "\"abc123\""}), outcome::not_modified);
  EXPECT_EQ(read({.if_none_match = "*"}), outcome::not_modified);
  EXPECT_EQ(read({.if_none_match = "\"other\""}), outcome::proceed);
}

TEST(read_conditions, if_modified_since) {
  EXPECT_EQ(read({.if_modified_since = date_equal}), outcome::not_modified);
  EXPECT_EQ(read({.if_modified_since = date_after}), outcome::not_modified);
  EXPECT_EQ(read({.if_modified_since = date_before}), outcome::proceed);
  EXPECT_EQ(read({.if_modified_since = "garbage"}), outcome::proceed);
  // If-None-Match present: If-Modified-Since is not consulted.
  EXPECT_EQ(read({.if_none_match = "\"other\"", .if_modified_since = date_after}),
            outcome::proceed);
}

TEST(read_conditions, precondition_before_not_modified) {
  EXPECT_EQ(read({.if_match = "\"other\"", .if_none_match = "\"abc123\""}),
            outcome::precondition_failed);
  EXPECT_EQ(read({.if_match = "\"abc123\"", .if_none_match = "\"abc123\""}), outcome::not_modified);
}

TEST(write_conditions, put) {
  const std::optional<std::string> current = std::string(etag);
  const std::optional<std::string> missing;
  EXPECT_EQ(evaluate_write_conditions(std::nullopt, std::nullopt, current), outcome::proceed);
  EXPECT_EQ(evaluate_write_conditions(std::nullopt, "*", missing), outcome::proceed);
  EXPECT_EQ(evaluate_write_conditions(std::nullopt, "*", current), outcome::precondition_failed);
  EXPECT_EQ(evaluate_write_conditions("\"abc123\"", std::nullopt, current), outcome::proceed);
  EXPECT_EQ(evaluate_write_conditions("\"zzz\"", std::nullopt, current),
            outcome::precondition_failed);
  EXPECT_EQ(evaluate_write_conditions("\"abc123\"", std::nullopt, missing), outcome::no_such_key);
}

}  // namespace
}  // namespace onehop::store
