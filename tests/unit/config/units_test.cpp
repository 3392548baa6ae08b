#include "config/units.hpp"

#include <gtest/gtest.h>

namespace onehop::config {
namespace {

using std::chrono::milliseconds;

TEST(parse_size, accepts_bytes_and_units) {
  EXPECT_EQ(*parse_size("0"), 0u);
  EXPECT_EQ(*parse_size("1234"), 1234u);
  EXPECT_EQ(*parse_size("10MiB"), 10u << 20);
  EXPECT_EQ(*parse_size("5 GiB"), 5ull << 30);
  EXPECT_EQ(*parse_size("512KiB"), 512u << 10);
  EXPECT_EQ(*parse_size("1MB"), 1000000u);
  EXPECT_EQ(*parse_size("1kB"), 1000u);
  EXPECT_EQ(*parse_size("2TB"), 2000000000000ull);
  EXPECT_EQ(*parse_size("1TiB"), 1ull << 40);
  EXPECT_EQ(*parse_size("7B"), 7u);
  EXPECT_EQ(*parse_size(" 3 MiB "), 3u << 20);
}

TEST(parse_size, rejects_everything_else) {
  for (const char* bad : {"", "MiB", "-1", "1.5GiB", "10 mib", "10Mb", "10 M", "1e6", "0x10",
                          "10MiB extra", "10 MiB MiB", "ten"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
  EXPECT_NE(parse_size("1.5GiB").error().find("fractions"), std::string::npos);
  EXPECT_NE(parse_size("10Mb").error().find("unknown size unit 'Mb'"), std::string::npos);
}

TEST(parse_size, overflow_at_the_64_bit_limit) {
  EXPECT_EQ(*parse_size("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(parse_size("18446744073709551616"));
  EXPECT_EQ(*parse_size("16777215TiB"), 16777215ull << 40);
  EXPECT_FALSE(parse_size("16777216TiB"));  // 2^64
}

TEST(parse_duration, accepts_seconds_and_units) {
  EXPECT_EQ(*parse_duration("30"), milliseconds(30000));
  EXPECT_EQ(*parse_duration("90s"), milliseconds(90000));
  EXPECT_EQ(*parse_duration("15m"), milliseconds(900000));
  EXPECT_EQ(*parse_duration("2h"), milliseconds(7200000));
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("1d"), milliseconds(86400000));
  EXPECT_EQ(*parse_duration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*parse_duration("1h 30m 5s 20ms"), milliseconds(5405020));
  EXPECT_EQ(*parse_duration("0"), milliseconds(0));
}

TEST(parse_duration, rejects_everything_else) {
  for (const char* bad :
       {"", " ", "s", "-5s", "1.5s", "5 sec", "5S", "1h30", "30 30", "5us", "m5", "5s,"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
  EXPECT_NE(parse_duration("1h30").error().find("needs a unit"), std::string::npos);
  EXPECT_FALSE(parse_duration("9223372036854775808ms"));
  EXPECT_FALSE(parse_duration("9223372036854776s"));  // * 1000 overflows
  EXPECT_TRUE(parse_duration("9223372036854775807ms"));
}

TEST(format, names_sizes_and_durations_exactly) {
  EXPECT_EQ(format_size(5ull << 20), "5 MiB (5242880 bytes)");
  EXPECT_EQ(format_size(5ull << 30), "5 GiB (5368709120 bytes)");
  EXPECT_EQ(format_size(1536), "1536 bytes");
  EXPECT_EQ(format_size(2048), "2 KiB (2048 bytes)");
  EXPECT_EQ(format_size(1), "1 byte");
  EXPECT_EQ(format_size(0), "0 bytes");
  EXPECT_EQ(format_duration(milliseconds(90000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(900000)), "15m");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(604800000)), "7d");
}

}  // namespace
}  // namespace onehop::config
