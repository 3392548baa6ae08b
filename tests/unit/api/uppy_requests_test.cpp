#include "api/uppy_requests.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::api {
namespace {

std::string message_of(const api_error& e) {
  return e.message;
}

TEST(UppyFormDecode, DecodesPlusAndPercent) {
  EXPECT_EQ(form_decode("cat+photo%20%C3%A9.png"), "cat photo \xC3\xA9.png");
  EXPECT_EQ(form_decode("uploads%2Falice%2Fx.png"), "uploads/alice/x.png");
  EXPECT_EQ(form_decode("%2b"), "+");  // an encoded plus stays a plus
  EXPECT_EQ(form_decode(""), "");
}

TEST(UppyFormDecode, RefusesBrokenEscapes) {
  EXPECT_FALSE(form_decode("%"));
  EXPECT_FALSE(form_decode("a%2"));
  EXPECT_FALSE(form_decode("%zz"));
  EXPECT_FALSE(form_decode("%g1"));
}

TEST(UppyQueryParam, FindsDecodesAndReportsAbsence) {
  auto key = uppy_query_param("key=uploads%2Falice%2Fx+y.png&partNumbers=1,2", "key");
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, "uploads/alice/x y.png");
  auto numbers = uppy_query_param("key=a&partNumbers=1%2C2", "partNumbers");
  ASSERT_TRUE(numbers);
  EXPECT_EQ(*numbers, "1,2");
  auto absent = uppy_query_param("keys=a&akey=b", "key");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
  auto bare = uppy_query_param("key", "key");
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, "");
}

TEST(UppyQueryParam, RefusesRepeatsBadEncodingAndLongValues) {
  auto repeated = uppy_query_param("key=a&key=b", "key");
  ASSERT_FALSE(repeated);
  EXPECT_NE(message_of(repeated.error()).find("repeated"), std::string::npos);
  EXPECT_FALSE(uppy_query_param("key=%zz", "key"));

  const std::string at_limit = "key=" + std::string(max_uppy_query_value, 'a');
  EXPECT_TRUE(uppy_query_param(at_limit, "key"));
  const std::string over = "key=" + std::string(max_uppy_query_value + 1, 'a');
  EXPECT_FALSE(uppy_query_param(over, "key"));
  // The limit applies to the decoded value: three encoded bytes count as one.
  std::string encoded = "key=";
  for (std::size_t i = 0; i < max_uppy_query_value; ++i)
    encoded += "%41";
  EXPECT_TRUE(uppy_query_param(encoded, "key"));
}

TEST(UppyCreate, ParsesWhatUppySends) {
  auto r = parse_uppy_create(
      R"({"filename":"cat.PNG","metadata":{"name":"cat.PNG","type":"image/png","relativePath":null},"type":"Image/PNG"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->filename, "cat.PNG");
  EXPECT_EQ(r->content_type, "image/png");  // lower case
  // No metadata, unknown members: ignored, as Companion does.
  auto minimal = parse_uppy_create(R"({"filename":"a.jpg","type":"image/jpeg","extra":[1,2]})");
  ASSERT_TRUE(minimal);
  EXPECT_EQ(minimal->content_type, "image/jpeg");
}

TEST(UppyCreate, RefusesMissingOrWrongFields) {
  for (const char* body :
       {R"({"type":"image/png"})", R"({"filename":"","type":"image/png"})",
        R"({"filename":3,"type":"image/png"})", R"({"filename":null,"type":"image/png"})"}) {
    auto r = parse_uppy_create(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, errc::invalid_request);
    EXPECT_NE(r.error().message.find("filename"), std::string::npos) << body;
  }
  for (const char* body : {R"({"filename":"a.png"})", R"({"filename":"a.png","type":1})"}) {
    auto r = parse_uppy_create(body);
    ASSERT_FALSE(r) << body;
    EXPECT_NE(r.error().message.find("type"), std::string::npos) << body;
  }
  EXPECT_FALSE(parse_uppy_create(R"({"filename":"a.png","type":"image/png"} x)"));
  EXPECT_FALSE(parse_uppy_create(R"(["a.png"])"));
  EXPECT_FALSE(parse_uppy_create(""));
}

TEST(UppyFilename, KeepsTheLastSegment) {
  EXPECT_EQ(uppy_filename("cat.png").value(), "cat.png");
  EXPECT_EQ(uppy_filename("photos/2026/cat.png").value(), "cat.png");
  EXPECT_EQ(uppy_filename("..\\..\\cat.png").value(), "cat.png");
  EXPECT_EQ(uppy_filename("holiday photo \xC3\xA9.png").value(), "holiday photo \xC3\xA9.png");
}

TEST(UppyFilename, RefusesNamesThatAreNotNames) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("."), std::string_view(".."),
        std::string_view("dir/"), std::string_view("a/.."), std::string_view("a\x01.png"),
        std::string_view("a\x7F.png"), std::string_view("a\xC2\x85.png"),
        std::string_view("a\xC3.png"), std::string_view("a\xED\xA0\x80.png"),
        std::string_view("a\0b.png", 7)}) {
    EXPECT_FALSE(uppy_filename(bad)) << bad;
  }
  EXPECT_TRUE(uppy_filename("a\xC2\xA0.png"));  // U+00A0 is not a control character
}

TEST(UppyFilename, KeepsTheEndOfLongNamesOnCharacterBoundaries) {
  const std::string at_limit = std::string(max_filename_bytes - 4, 'a') + ".png";
  EXPECT_EQ(uppy_filename(at_limit).value(), at_limit);
  const std::string over = "b" + at_limit;
  EXPECT_EQ(uppy_filename(over).value(), at_limit);

  std::string accents;
  for (int i = 0; i < 200; ++i)
    accents += "\xC3\xA9";  // 400 bytes
  accents += ".jpg";
  const std::string kept = uppy_filename(accents).value();
  EXPECT_LE(kept.size(), max_filename_bytes);
  EXPECT_GE(kept.size(), max_filename_bytes - 1);
  EXPECT_EQ(kept.substr(kept.size() - 4), ".jpg");
  EXPECT_EQ(kept.substr(0, 2), "\xC3\xA9");  // starts on a whole character
  EXPECT_TRUE(uppy_filename(kept));          // and is still valid UTF-8
}

TEST(UppyPartLimit, IsTheCountOfFiveMebibyteParts) {
  constexpr std::uint64_t MiB = 1 << 20;
  EXPECT_EQ(uppy_part_limit(0), 1u);
  EXPECT_EQ(uppy_part_limit(1), 1u);
  EXPECT_EQ(uppy_part_limit(5 * MiB), 1u);
  EXPECT_EQ(uppy_part_limit(5 * MiB + 1), 2u);
  EXPECT_EQ(uppy_part_limit(10 * MiB), 2u);
  EXPECT_EQ(uppy_part_limit(10000 * 5 * MiB), 10000u);
  EXPECT_EQ(uppy_part_limit(10000 * 5 * MiB + 1), 10000u);  // Uppy's chunks grow past 10000
  EXPECT_EQ(uppy_part_limit(5ull << 40), 10000u);
}

TEST(UppyPartNumber, AcceptsOneToTheLimit) {
  EXPECT_EQ(parse_part_number("1", 2).value(), 1u);
  EXPECT_EQ(parse_part_number("2", 2).value(), 2u);
  EXPECT_EQ(parse_part_number("02", 2).value(), 2u);
  EXPECT_EQ(parse_part_number("10000", 10000).value(), 10000u);
  for (std::string_view bad : {"0", "3", "", "abc", "1a", "-1", "+1", "100000", " 1"}) {
    auto r = parse_part_number(bad, 2);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("between 1 and 2"), std::string::npos);
  }
}

TEST(UppyPartNumbers, ParsesACommaSeparatedList) {
  EXPECT_EQ(parse_part_numbers("1,2,3", 3).value(), (std::vector<unsigned>{1, 2, 3}));
  EXPECT_EQ(parse_part_numbers("3,1", 3).value(), (std::vector<unsigned>{3, 1}));
  EXPECT_EQ(parse_part_numbers("2", 3).value(), (std::vector<unsigned>{2}));
  for (std::string_view bad : {"", ",", "1,", ",1", "1,,2", "1,1", "1,4", "1;2", "1, 2"}) {
    EXPECT_FALSE(parse_part_numbers(bad, 3)) << bad;
  }
}

TEST(UppyPartNumbers, LimitsTheCountPerRequest) {
  std::string csv;
  for (std::size_t i = 1; i <= max_uppy_batch_parts; ++i) {
    if (i != 1)
      csv += ',';
    csv += std::to_string(i);
  }
  EXPECT_EQ(parse_part_numbers(csv, 10000).value().size(), max_uppy_batch_parts);
  csv += ',';
  csv += std::to_string(max_uppy_batch_parts + 1);
  auto over = parse_part_numbers(csv, 10000);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("at most"), std::string::npos);
}

TEST(UppyComplete, ParsesMixedEtagsAndSortsByPartNumber) {
  auto r = parse_uppy_complete(
      R"({"parts":[{"PartNumber":2,"ETag":"b2"},{"PartNumber":1,"ETag":"\"a1\"","Size":5}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].part_number, 1u);
  EXPECT_EQ((*r)[0].etag, "\"a1\"");
  EXPECT_EQ((*r)[1].part_number, 2u);
  EXPECT_EQ((*r)[1].etag, "b2");
  auto none = parse_uppy_complete("{}");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto empty = parse_uppy_complete(R"({"parts":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(UppyComplete, RefusesWhatCompanionRefuses) {
  for (const char* body : {
           R"({"parts":{}})",
           R"({"parts":[1]})",
           R"({"parts":[{"PartNumber":"1","ETag":"a"}]})",
           R"({"parts":[{"PartNumber":1.0,"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":1}]})",
           R"({"parts":[{"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":1,"ETag":5}]})",
           R"({"parts":[{"PartNumber":0,"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":-1,"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":10001,"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":18446744073709551615,"ETag":"a"}]})",
           R"({"parts":[{"PartNumber":1,"ETag":""}]})",
           R"({"parts":[{"PartNumber":1,"ETag":"a b"}]})",
           R"({"parts":[{"PartNumber":1,"ETag":"a"},{"PartNumber":1,"ETag":"b"}]})",
           R"({"parts":[)",
       }) {
    auto r = parse_uppy_complete(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, errc::invalid_request);
  }
  EXPECT_TRUE(parse_uppy_complete(R"({"parts":[{"PartNumber":10000,"ETag":"a"}]})"));
}

TEST(UppyComplete, EtagLengthLimit) {
  const std::string at = std::string(max_etag_bytes, 'e');
  EXPECT_TRUE(parse_uppy_complete(R"({"parts":[{"PartNumber":1,"ETag":")" + at + "\"}]}"));
  EXPECT_FALSE(parse_uppy_complete(R"({"parts":[{"PartNumber":1,"ETag":")" + at + "e\"}]}"));
}

TEST(UppyQuotedEtag, AddsQuotesOnlyWhenMissing) {
  EXPECT_EQ(quoted_etag("abc"), "\"abc\"");
  EXPECT_EQ(quoted_etag("\"abc\""), "\"abc\"");
  EXPECT_EQ(quoted_etag("\"abc"), "\"\"abc\"");
}

}  // namespace
}  // namespace onehop::api
