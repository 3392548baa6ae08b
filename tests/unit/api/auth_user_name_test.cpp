#include <gtest/gtest.h>

#include <string>

#include "api/auth.hpp"

namespace onehop::api {
namespace {

TEST(ValidUserName, LengthLimitsAtNAndNPlusOne) {
  EXPECT_FALSE(valid_user_name(""));
  EXPECT_TRUE(valid_user_name("a"));
  EXPECT_TRUE(valid_user_name(std::string(max_user_name_bytes, 'a')));
  EXPECT_FALSE(valid_user_name(std::string(max_user_name_bytes + 1, 'a')));
  // The limit is in bytes: 64 two-byte characters fit, 65 do not.
  std::string e_acute;
  for (int i = 0; i < 64; ++i) {
    e_acute += "\xc3\xa9";
  }
  EXPECT_TRUE(valid_user_name(e_acute));
  EXPECT_FALSE(valid_user_name(e_acute + "\xc3\xa9"));
}

TEST(ValidUserName, AcceptsUtf8) {
  EXPECT_TRUE(valid_user_name("alice@example.com"));
  EXPECT_TRUE(valid_user_name("auth0|5f1c2b"));
  EXPECT_TRUE(valid_user_name("J\xc3\xbcrgen"));             // ü
  EXPECT_TRUE(valid_user_name("\xe6\x9d\xb1\xe4\xba\xac"));  // 東京
  EXPECT_TRUE(valid_user_name("\xf0\x9f\x98\x80"));          // U+1F600
  EXPECT_TRUE(valid_user_name("\xf4\x8f\xbf\xbf"));          // U+10FFFF
  EXPECT_TRUE(valid_user_name("\xc2\xa0"));                  // U+00A0, first after C1
}

TEST(ValidUserName, RefusesControlCharacters) {
  EXPECT_FALSE(valid_user_name(std::string("a\0b", 3)));
  EXPECT_FALSE(valid_user_name("a\nb"));
  EXPECT_FALSE(valid_user_name("a\tb"));
  EXPECT_FALSE(valid_user_name("\x1f"));
  EXPECT_FALSE(valid_user_name("\x7f"));
  EXPECT_FALSE(valid_user_name("\xc2\x80"));  // U+0080 (C1)
  EXPECT_FALSE(valid_user_name("\xc2\x9f"));  // U+009F (C1)
  EXPECT_TRUE(valid_user_name(" "));
}

TEST(ValidUserName, RefusesMalformedUtf8) {
  EXPECT_FALSE(valid_user_name("\x80"));              // lone continuation byte
  EXPECT_FALSE(valid_user_name("\xc3"));              // truncated
  EXPECT_FALSE(valid_user_name("\xc3x"));             // bad continuation
  EXPECT_FALSE(valid_user_name("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_user_name("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(valid_user_name("\xf0\x80\x80\xaf"));  // overlong '/'
  EXPECT_FALSE(valid_user_name("\xed\xa0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_user_name("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_user_name("\xf5\x80\x80\x80"));
  EXPECT_FALSE(valid_user_name("\xff"));
}

}  // namespace
}  // namespace onehop::api
