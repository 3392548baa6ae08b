#include "sigv4/time.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace onehop::sigv4 {
namespace {

using namespace std::chrono;

sys_seconds at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(AmzDate, ParsesTheSuiteTimestamp) {
  EXPECT_EQ(parse_amz_date("20150830T123600Z").value(), at(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(parse_amz_date("19700101T000000Z").value(), sys_seconds{});
  EXPECT_EQ(parse_amz_date("99991231T235959Z").value(), at(9999, 12, 31, 23, 59, 59));
}

TEST(AmzDate, LeapYears) {
  EXPECT_TRUE(parse_amz_date("20240229T000000Z").has_value());
  EXPECT_TRUE(parse_amz_date("20000229T000000Z").has_value());   // divisible by 400
  EXPECT_FALSE(parse_amz_date("20230229T000000Z").has_value());  // common year
  EXPECT_FALSE(parse_amz_date("19000229T000000Z").has_value());  // divisible by 100
  EXPECT_FALSE(parse_amz_date("20240230T000000Z").has_value());
}

TEST(AmzDate, FieldRangesAtTheirLimits) {
  EXPECT_TRUE(parse_amz_date("20240131T235959Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240132T000000Z").has_value());
  EXPECT_TRUE(parse_amz_date("20240430T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240431T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240001T000000Z").has_value());
  EXPECT_TRUE(parse_amz_date("20241201T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20241301T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240100T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240101T240000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240101T236000Z").has_value());
  EXPECT_FALSE(parse_amz_date("20240101T235960Z").has_value());  // no leap second
}

TEST(AmzDate, RejectsOtherShapes) {
  for (const char* bad :
       {"", "20150830T123600", "20150830T123600Z0", "2015083T123600Z", "20150830t123600Z",
        "20150830T123600z", "20150830 123600Z", "2015-08-30T12:36:00Z", "2015083aT123600Z",
        "+0150830T123600Z", "20150830T12360-Z"}) {
    EXPECT_FALSE(parse_amz_date(bad).has_value()) << bad;
  }
}

TEST(DateStamp, ParsesYyyymmdd) {
  EXPECT_EQ(parse_date_stamp("20150830").value(), sys_days{year{2015} / 8 / 30});
  EXPECT_FALSE(parse_date_stamp("2015083").has_value());
  EXPECT_FALSE(parse_date_stamp("201508301").has_value());
  EXPECT_FALSE(parse_date_stamp("20150231").has_value());
}

TEST(Iso8601, ParsesWithAndWithoutFraction) {
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00Z").value(), at(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.000Z").value(), at(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.9Z").value(), at(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.123456789Z").value(), at(2015, 8, 30, 12, 36, 0));
}

TEST(Iso8601, RejectsOtherShapes) {
  for (const char* bad :
       {"2015-08-30T12:36:00", "2015-08-30T12:36:00.Z", "2015-08-30T12:36:00.1234567890Z",
        "2015-08-30 12:36:00Z", "2015/08/30T12:36:00Z", "2015-08-30T12-36-00Z",
        "2015-08-30T12:36:00+00:00", "2015-08-30T12:36:00.00aZ", "2015-08-30T12:36:00,000Z",
        "2015-02-29T00:00:00Z", "2015-08-30T25:00:00Z", "20150830T123600Z", ""}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(Format, RoundTrips) {
  for (const sys_seconds t :
       {sys_seconds{}, at(2015, 8, 30, 12, 36, 0), at(2024, 2, 29, 23, 59, 59), at(1, 1, 1),
        at(9999, 12, 31, 23, 59, 59), at(1969, 12, 31, 23, 59, 59)}) {
    EXPECT_EQ(parse_amz_date(format_amz_date(t)).value(), t);
    EXPECT_EQ(parse_iso8601(format_iso8601(t)).value(), t);
    EXPECT_EQ(parse_iso8601(format_iso8601(t, true)).value(), t);
  }
  EXPECT_EQ(format_amz_date(at(2015, 8, 30, 12, 36, 0)), "20150830T123600Z");
  EXPECT_EQ(format_iso8601(at(2015, 8, 30, 12, 36, 0)), "2015-08-30T12:36:00Z");
  EXPECT_EQ(format_iso8601(at(2015, 8, 30, 12, 36, 0), true), "2015-08-30T12:36:00.000Z");
  char stamp[date_stamp_size];
  format_date_stamp(at(2024, 2, 29, 23, 59, 59), stamp);
  EXPECT_EQ(std::string_view(stamp, sizeof stamp), "20240229");
  std::string out = "x:";
  append_amz_date(out, sys_seconds{});
  append_iso8601(out, sys_seconds{});
  EXPECT_EQ(out, "x:19700101T000000Z1970-01-01T00:00:00Z");
}

TEST(Format, RangeIsYearsZeroToNineThousandNineHundredNinetyNine) {
  const sys_seconds first = sys_days{year{0} / 1 / 1};
  const sys_seconds past_last = sys_days{year{10000} / 1 / 1};
  EXPECT_TRUE(is_formattable(first));
  EXPECT_FALSE(is_formattable(first - seconds{1}));
  EXPECT_TRUE(is_formattable(past_last - seconds{1}));
  EXPECT_FALSE(is_formattable(past_last));
  EXPECT_EQ(format_amz_date(first), "00000101T000000Z");
  // Formatting outside the range is a caller bug, reported by an exception.
  EXPECT_THROW(format_amz_date(past_last), std::out_of_range);
}

}  // namespace
}  // namespace onehop::sigv4
