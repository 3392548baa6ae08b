#include "api/json_out.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <random>
#include <string>

namespace onehop::api {
namespace {

using namespace std::chrono;

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// What a conforming JSON parser reads back from append_json_string's output.
std::string round_trip(std::string_view s) {
  const std::string text = json_string(s);
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message();
  if (ec || !v.is_string()) {
    ADD_FAILURE() << "not a JSON string";
    return {};
  }
  return std::string(v.get_string().data(), v.get_string().size());
}

// UTF-8 of one code point (the test's own encoder, not the writer's).
std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

const std::string fffd = "\xEF\xBF\xBD";

TEST(JsonString, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("plain text"), R"("plain text")");
  EXPECT_EQ(json_string("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_string("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_string(std::string_view("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json_string("\x7F"), "\"\x7F\"");  // DEL needs no escape in JSON
}

TEST(JsonString, EveryControlCharacterRoundTrips) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string s(1, static_cast<char>(c));
    EXPECT_EQ(round_trip(s), s) << c;
    EXPECT_EQ(json_string(s).find(static_cast<char>(c)), std::string::npos) << c;
  }
}

TEST(JsonString, ValidUtf8PassesThrough) {
  const std::string s = "caf\xC3\xA9 \xE7\x8C\xAB \xF0\x9F\x90\xB1 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  EXPECT_EQ(json_string(s), "\"" + s + "\"");
  EXPECT_EQ(round_trip(s), s);
}

TEST(JsonString, IllFormedUtf8BecomesReplacementCharacters) {
  // The example of Unicode 15 §3.9 (U+FFFD substitution of maximal subparts): 61 F1 80 80 E1 80
  // C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d.
  EXPECT_EQ(round_trip("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d");
  EXPECT_EQ(round_trip("\xC0\x80"), fffd + fffd);                        // overlong NUL
  EXPECT_EQ(round_trip("\xE0\x80\xAF"), fffd + fffd + fffd);             // overlong '/'
  EXPECT_EQ(round_trip("\xED\xA0\x80"), fffd + fffd + fffd);             // surrogate U+D800
  EXPECT_EQ(round_trip("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(round_trip("\xF5\xFF"), fffd + fffd);
  EXPECT_EQ(round_trip("x\xE2\x82"), "x" + fffd);  // cut short at the end
  EXPECT_EQ(round_trip("\xF0\x9F\x90"), fffd);
  EXPECT_EQ(round_trip("\xE2\x82\"\\"), fffd + "\"\\");
}

TEST(JsonString, RandomValidUtf8RoundTripsExactly) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<std::uint32_t> plane(0, 3);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      const std::uint32_t limits[] = {0x80, 0x800, 0x10000, 0x110000};
      char32_t cp = rng() % limits[plane(rng)];
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      s += utf8(cp);
    }
    ASSERT_EQ(round_trip(s), s);
  }
}

TEST(JsonString, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(54321);
  for (int round = 0; round < 5000; ++round) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) {
      // Bias towards the interesting bytes: controls, quotes, lead and continuation bytes.
      static constexpr unsigned char pool[] = {0x00, 0x1F, '"',  '\\', 'a',  0x7F, 0x80,
                                               0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xFF};
      c = static_cast<char>(rng() % 2 ? pool[rng() % sizeof pool] : rng() % 256);
    }
    const std::string back = round_trip(s);
    // Every ASCII byte survives, in order: only non-ASCII bytes may be replaced.
    std::string ascii_in;
    std::string ascii_out;
    for (unsigned char c : s) {
      if (c < 0x80) {
        ascii_in.push_back(static_cast<char>(c));
      }
    }
    for (unsigned char c : back) {
      if (c < 0x80) {
        ascii_out.push_back(static_cast<char>(c));
      }
    }
    ASSERT_EQ(ascii_in, ascii_out);
  }
}

// Clean runs are skipped 8 bytes at a time: a byte that needs escaping or checking must be
// found at every position of a word, after and before runs of every length.
TEST(JsonString, SpecialBytesAreFoundAtEveryOffsetOfLongCleanRuns) {
  static constexpr unsigned char specials[] = {0x00, 0x1F, '"', '\\', 0x7F, 0x80, 0xC2, 0xFF};
  for (const unsigned char special : specials) {
    for (std::size_t before = 0; before < 20; ++before) {
      for (std::size_t after = 0; after < 20; ++after) {
        std::string s(before, 'a');
        s.push_back(static_cast<char>(special));
        s.append(after, '~');  // 0x7E: the clean byte nearest the special ones
        const std::string back = round_trip(s);
        std::string expected(before, 'a');
        if (special < 0x80) {
          expected.push_back(static_cast<char>(special));
        } else {
          expected += fffd;  // a lone lead or continuation byte is ill-formed
        }
        expected.append(after, '~');
        ASSERT_EQ(back, expected) << "byte " << int{special} << " after " << before;
      }
    }
  }
}

TEST(JsonWriter, KeysNumbersAndLiterals) {
  std::string out = "{";
  append_json_key(out, "a\"b");
  append_json_number(out, std::numeric_limits<std::int64_t>::min());
  out += ',';
  append_json_key(out, "u");
  append_json_number(out, std::numeric_limits<std::uint64_t>::max());
  out += ',';
  append_json_key(out, "i");
  append_json_number(out, -7);
  out += ',';
  append_json_key(out, "n");
  append_json_number(out, 42u);
  out += ',';
  append_json_key(out, "t");
  append_json_bool(out, true);
  out += ',';
  append_json_key(out, "f");
  append_json_bool(out, false);
  out += ',';
  append_json_key(out, "z");
  append_json_null(out);
  out += '}';
  EXPECT_EQ(out, R"({"a\"b":-9223372036854775808,"u":18446744073709551615,"i":-7,"n":42,)"
                 R"("t":true,"f":false,"z":null})");
  const auto v = boost::json::parse(out);
  EXPECT_EQ(v.at("a\"b").as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(v.at("u").as_uint64(), std::numeric_limits<std::uint64_t>::max());
}

TEST(JsonWriter, NoAllocationWhenTheOutputHasCapacity) {
  std::string out;
  out.reserve(512);
  const char* data = out.data();
  const std::size_t capacity = out.capacity();
  append_json_key(out, "message");
  append_json_string(out, "a \"quoted\"\n line with caf\xC3\xA9 and a bad \xFF byte");
  append_json_number(out, std::uint64_t{1} << 53);
  append_json_time(out, sys_seconds{seconds{1'800'000'000}});
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out.capacity(), capacity);
}

TEST(Rfc3339, KnownInstants) {
  EXPECT_EQ(format_rfc3339(sys_seconds{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(sys_days{year{2026} / November / 28} + 13h + 15min),
            "2026-11-28T13:15:00Z");
  EXPECT_EQ(format_rfc3339(sys_days{year{2024} / February / 29} + 23h + 59min + 59s),
            "2024-02-29T23:59:59Z");
  EXPECT_EQ(format_rfc3339(sys_seconds{seconds{-1}}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(sys_days{year{1} / January / 1}), "0001-01-01T00:00:00Z");
  std::string quoted;
  append_json_time(quoted, sys_seconds{seconds{86400}});
  EXPECT_EQ(quoted, R"("1970-01-02T00:00:00Z")");
}

TEST(Rfc3339, OutOfRangeYearsAreClamped) {
  EXPECT_EQ(format_rfc3339(sys_days{year{10000} / January / 1}), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(sys_days{year{-1} / December / 31}), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(sys_days{year{9999} / December / 31} + 23h + 59min + 59s),
            "9999-12-31T23:59:59Z");
}

TEST(Rfc3339, AgreesWithGmtime) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    // 1000-01-01 .. 9999-12-31 (strftime's %Y pads no year below 1000).
    const std::int64_t t =
        static_cast<std::int64_t>(rng() % (253'402'300'800 + 30'610'224'000)) - 30'610'224'000;
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
    char expected[32];
    ASSERT_EQ(std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%SZ", &tm), 20u) << t;
    ASSERT_EQ(format_rfc3339(sys_seconds{seconds{t}}), expected) << t;
  }
}

}  // namespace
}  // namespace onehop::api
