#include "store/names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::store {
namespace {

TEST(BucketName, AcceptsS3Names) {
  for (const char* name : {"abc", "my-bucket", "my.bucket.1", "1bucket", "a-b.c-d", "xn-a"}) {
    EXPECT_TRUE(validate_bucket_name(name)) << name;
  }
}

TEST(BucketName, LengthLimitsAtNAndNPlusOne) {
  EXPECT_FALSE(validate_bucket_name("ab"));
  EXPECT_TRUE(validate_bucket_name("abc"));
  EXPECT_TRUE(validate_bucket_name(std::string(63, 'a')));
  EXPECT_EQ(validate_bucket_name(std::string(64, 'a')).error(), parse_errc::invalid_bucket_name);
}

TEST(BucketName, RefusesWhatS3Refuses) {
  for (const char* name :
       {"", "Abc", "ab_c", "-abc", "abc-", ".abc", "abc.", "a..b", "192.168.1.1", "1.2.3.4",
        "xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3", "a/b", "..", "a b", "abc\xc3\xa9"}) {
    EXPECT_FALSE(validate_bucket_name(name)) << name;
  }
}

TEST(BucketName, NumericLabelsThatAreNotAnAddressAreFine) {
  EXPECT_TRUE(validate_bucket_name("1.2.3"));
  EXPECT_TRUE(validate_bucket_name("1.2.3.4.5"));
  EXPECT_TRUE(validate_bucket_name("1234.2.3.4"));
}

TEST(Key, LengthLimitsAtNAndNPlusOne) {
  EXPECT_EQ(validate_key("").error(), parse_errc::invalid_key);
  EXPECT_TRUE(validate_key("a"));
  EXPECT_TRUE(validate_key(std::string(max_key_bytes, 'k')));
  EXPECT_EQ(validate_key(std::string(max_key_bytes + 1, 'k')).error(), parse_errc::key_too_long);
}

TEST(Key, AnyUtf8IsAKey) {
  for (const char* key : {"..", "../../etc/passwd", "//", "/leading", "trailing/", "%2F", "a+b",
                          "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x01\x7f", " "}) {
    EXPECT_TRUE(validate_key(key)) << key;
  }
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_EQ(validate_key("a\xff").error(), parse_errc::invalid_key);
}

}  // namespace
}  // namespace onehop::store
