#include "api/auth_base64url.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <span>

namespace onehop::api {
namespace {

TEST(Base64url, EncodesRfc4648Vectors) {
  // RFC 4648 section 10 (same alphabet for these inputs), without padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  // The two characters that differ from standard base64.
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64url, RoundTripsRandomBytes) {
  std::mt19937 rng(7);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(static_cast<std::size_t>(n), '\0');
    for (auto& c : bytes) {
      c = static_cast<char>(rng());
    }
    const auto text = base64url_encode(bytes);
    EXPECT_TRUE(is_base64url(text));
    EXPECT_EQ(text.size() % 4 == 1, false);
    EXPECT_EQ(base64url_decoded_size(text.size()), bytes.size());
    EXPECT_EQ(base64url_decode(text), bytes);
  }
}

TEST(Base64url, RefusesNonCanonicalText) {
  EXPECT_FALSE(base64url_decode("Zg=="));    // padding
  EXPECT_FALSE(base64url_decode("Zm9v+g"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9/"));
  EXPECT_FALSE(base64url_decode("Zm9 v"));
  EXPECT_FALSE(base64url_decode("Z"));    // a length of 1 mod 4 encodes no whole byte
  EXPECT_FALSE(base64url_decode("Zh"));   // "Zg" with a non-zero unused bit
  EXPECT_FALSE(base64url_decode("Zm9"));  // "Zm8" with a non-zero unused bit
  EXPECT_TRUE(base64url_decode("Zg"));
  EXPECT_TRUE(base64url_decode("Zm8"));
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(Base64url, DecodeIntoSpanChecksRoom) {
  std::array<char, 2> small{};
  EXPECT_FALSE(base64url_decode("Zm9v", std::span<char>(small)));
  std::array<char, 3> exact{};
  const auto n = base64url_decode("Zm9v", std::span<char>(exact));
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string_view(exact.data(), *n), "foo");
}

}  // namespace
}  // namespace onehop::api
