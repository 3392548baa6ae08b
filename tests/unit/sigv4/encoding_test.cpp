#include "sigv4/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::sigv4 {
namespace {

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) {
    s.push_back(static_cast<char>(i));
  }
  return s;
}

TEST(UriEncode, KeepsOnlyUnreservedBytes) {
  const std::string bytes = all_bytes();
  const std::string encoded = uri_encode(bytes, false);
  std::size_t pos = 0;
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    EXPECT_EQ(is_unreserved(c), unreserved) << i;
    if (unreserved) {
      EXPECT_EQ(encoded[pos], c);
      pos += 1;
    } else {
      char expected[4];
      std::snprintf(expected, sizeof expected, "%%%02X", i);  // upper-case hex
      EXPECT_EQ(encoded.substr(pos, 3), expected) << i;
      pos += 3;
    }
  }
  EXPECT_EQ(pos, encoded.size());
}

TEST(UriEncode, SlashIsKeptOnlyOnRequest) {
  EXPECT_EQ(uri_encode("a/b c/", true), "a/b%20c/");
  EXPECT_EQ(uri_encode("a/b c/", false), "a%2Fb%20c%2F");
}

TEST(UriEncode, EncodesEachByteOnce) {
  EXPECT_EQ(uri_encode("%20", true), "%2520");
  EXPECT_EQ(uri_encode("a+b", true), "a%2Bb");
  EXPECT_EQ(uri_encode("\xc3\xbc", true), "%C3%BC");
  EXPECT_EQ(uri_encode("\xf0\x9f\x98\x80", true), "%F0%9F%98%80");
  EXPECT_EQ(uri_encode("", true), "");
}

TEST(UriEncode, AppendsAfterExistingContent) {
  std::string out = "prefix/";
  uri_encode_append(out, "x y", true);
  EXPECT_EQ(out, "prefix/x%20y");
}

TEST(PercentDecode, DecodesEitherHexCase) {
  EXPECT_EQ(percent_decode("%c3%BC").value(), "\xc3\xbc");
  EXPECT_EQ(percent_decode("a%2Fb").value(), "a/b");
  EXPECT_EQ(percent_decode("%00").value(), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("").value(), "");
}

TEST(PercentDecode, PlusIsTheCallersChoice) {
  EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
  EXPECT_EQ(percent_decode("a+b", true).value(), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true).value(), "a+b");
}

TEST(PercentDecode, RejectsBadEscapes) {
  for (const char* bad : {"%", "%4", "abc%", "ab%4", "%zz", "%G0", "%0g", "%%41", "% 41"}) {
    auto r = percent_decode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
  }
}

TEST(PercentDecode, InvertsEncoding) {
  const std::string bytes = all_bytes();
  EXPECT_EQ(percent_decode(uri_encode(bytes, false)).value(), bytes);
  EXPECT_EQ(percent_decode(uri_encode(bytes, true)).value(), bytes);
}

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xdf\xbf"));          // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8("\xee\x80\x80"));      // U+E000, just above
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80"));  // U+10000
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the largest
  EXPECT_TRUE(is_valid_utf8("ключ-日本語-ü-😀"));
  EXPECT_TRUE(is_valid_utf8(std::string(1, '\0')));
}

TEST(Utf8, RejectsMalformedText) {
  for (const char* bad : {
           "\x80",              // lone continuation
           "\xc0\x80",          // overlong NUL
           "\xc1\xbf",          // overlong
           "\xe0\x9f\xbf",      // overlong 3-byte
           "\xf0\x8f\xbf\xbf",  // overlong 4-byte
           "\xed\xa0\x80",      // U+D800 surrogate
           "\xed\xbf\xbf",      // U+DFFF surrogate
           "\xf4\x90\x80\x80",  // U+110000
           "\xf5\x80\x80\x80",  // lead byte beyond range
           "\xff",              //
           "\xc3",              // truncated 2-byte
           "\xe6\x97",          // truncated 3-byte
           "\xf0\x9f\x98",      // truncated 4-byte
           "a\xc3(",            // bad continuation
       }) {
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
  }
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(std::string_view(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded).value(), plain);
  }
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  const std::string bytes = all_bytes();
  for (std::size_t n = 0; n <= bytes.size(); n += 7) {
    const std::string_view data(bytes.data(), n);
    const std::string enc = base64_encode(data);
    EXPECT_EQ(enc.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(enc).value(), data);
  }
  const std::uint8_t raw[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64_encode(std::span<const std::uint8_t>(raw)), "+/+/");
  std::string out = "x=";
  base64_encode_append(out, "f");
  EXPECT_EQ(out, "x=Zg==");
}

TEST(Base64, RejectsMalformedText) {
  for (const char* bad : {"Z", "Zg", "Zg=", "Zg===", "====", "Zm9v=", "Z=g=", "Zm=v", "Zm9v\n",
                          "Zm 9", "Zm9-", "Zm9_", "Zh==", "Zm9=", "A===", "=AAA"}) {
    auto r = base64_decode(bad);
    EXPECT_FALSE(r.has_value()) << bad;
  }
  // Zh== and Zm9= carry non-zero unused bits: accepting them would give two texts for one value.
  EXPECT_TRUE(base64_decode("Zg==").has_value());
  EXPECT_TRUE(base64_decode("Zm8=").has_value());
}

}  // namespace
}  // namespace onehop::sigv4
