// The keyset cursor: round trips, the accepted grammar, and the rejects.

#include "db/cursor.hpp"

#include <gtest/gtest.h>

#include "db_test_support.hpp"

namespace onehop::db {
namespace {

using testing::at;

TEST(cursor, round_trips_time_and_id) {
  for (const cursor_position& p :
       {cursor_position{at(0), "a"}, cursor_position{at(1'767'225'600), "0123456789abcdef"},
        cursor_position{at(INT64_MAX), "id.with.dots:and/slashes"},
        cursor_position{at(5), std::string(max_cursor_id_bytes, 'x')}}) {
    const std::string c = encode_cursor(p);
    auto back = decode_cursor(c);
    ASSERT_TRUE(back) << c;
    EXPECT_EQ(*back, p);
  }
}

TEST(cursor, is_url_safe) {
  // Bytes chosen so that standard base64 would produce '+' and '/' and padding.
  const std::string c = encode_cursor({at(1), "\xfb\xff\xfe?>"});
  EXPECT_EQ(c.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << c;
}

TEST(cursor, base64url_matches_rfc4648_vectors) {
  // RFC 4648 section 10 vectors, without padding; plus the two url-safe symbols.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*base64url_decode("Zm8"), "fo");
}

TEST(cursor, rejects_what_it_did_not_produce) {
  const std::string max_id(max_cursor_id_bytes + 1, 'x');
  const std::string too_long_text(max_cursor_chars + 1, 'A');
  for (const std::string& bad : {
           std::string(),                                  // empty (callers pass empty for page 1)
           std::string("!!!!"),                            // not base64url
           std::string("Zg=="),                            // padding
           std::string("+/8"),                             // standard alphabet
           std::string("Zm9vY"),                           // length 1 mod 4
           std::string("Zh"),                              // non-canonical: unused bits set
           base64url_encode("2.5.id"),                     // unknown version
           base64url_encode("1.5"),                        // no id separator
           base64url_encode("1.5."),                       // empty id
           base64url_encode("1..id"),                      // empty time
           base64url_encode("1.-5.id"),                    // negative time
           base64url_encode("1.05.id"),                    // leading zero
           base64url_encode("1.5x.id"),                    // not digits
           base64url_encode("1.99999999999999999999.id"),  // above INT64_MAX
           base64url_encode("1.5." + max_id),              // id too long
           too_long_text,                                  // text too long
       }) {
    auto r = decode_cursor(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::invalid_cursor) << bad;
  }
}

TEST(cursor, accepts_limits_exactly) {
  // Time 0 ("0" is not a leading zero) and an id of exactly the maximum length.
  auto r = decode_cursor(base64url_encode("1.0." + std::string(max_cursor_id_bytes, 'y')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->created_at, at(0));
  EXPECT_EQ(r->id.size(), max_cursor_id_bytes);
}

TEST(cursor, encoding_an_impossible_position_is_a_bug) {
  EXPECT_THROW(encode_cursor({at(1), ""}), std::logic_error);
  EXPECT_THROW(encode_cursor({at(-1), "a"}), std::logic_error);
}

}  // namespace
}  // namespace onehop::db
