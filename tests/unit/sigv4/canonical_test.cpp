#include "sigv4/canonical.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace onehop::sigv4 {
namespace {

TEST(CanonicalUri, EncodesOnceAndNeverNormalizes) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "/"},
      {"/", "/"},
      {"/a b", "/a%20b"},
      {"/bucket/a//b/../c/./d/", "/bucket/a//b/../c/./d/"},
      {"//leading", "//leading"},
      {"/\xc3\xbc", "/%C3%BC"},
      {"/%", "/%25"},
      {"/%20", "/%2520"},
      {"/a+b=c&d?e#f", "/a%2Bb%3Dc%26d%3Fe%23f"},
      {"/-._~", "/-._~"},
  };
  for (const auto& [path, expected] : cases) {
    std::string out;
    append_canonical_uri(out, path);
    EXPECT_EQ(out, expected) << path;
  }
}

TEST(CanonicalUri, FromWireDecodesThenEncodes) {
  canonical_scratch scratch;
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"/a%20b", "/a%20b"},         {"/%7e%7E", "/~~"},  // escaped more than needed
      {"/%c3%bc", "/%C3%BC"},                            // lower-case hex
      {"/a+b", "/a%2Bb"},                                // `+` is a plus in a path
      {"/a%2Fb", "/a/b"},                                // an escaped slash is a slash of the key
      {"/x/../y//z", "/x/../y//z"}, {"", "/"},          {"/%2520", "/%2520"},
  };
  for (const auto& [raw, expected] : cases) {
    std::string out;
    ASSERT_TRUE(append_canonical_uri_from_wire(out, raw, scratch).has_value()) << raw;
    EXPECT_EQ(out, expected) << raw;
  }
  for (const char* bad : {"/%", "/%2", "/%zz", "/a%g0"}) {
    std::string out;
    auto r = append_canonical_uri_from_wire(out, bad, scratch);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
  }
}

TEST(CanonicalQuery, SortsByNameThenValue) {
  canonical_scratch scratch;
  const std::array<query_param, 4> params{{{"b", "2"}, {"a", "2"}, {"a", "1"}, {"A", "3"}}};
  std::string out;
  append_canonical_query(out, params, scratch);
  EXPECT_EQ(out, "A=3&a=1&a=2&b=2");
}

TEST(CanonicalQuery, SortsByEncodedBytes) {
  // Decoded, `_` (0x5F) < "`" (0x60) and `~` (0x7E) < 0xC3; encoded, "%60" < "_" and "%C3" < "~".
  canonical_scratch scratch;
  const std::array<query_param, 4> params{{{"_", "1"}, {"`", "2"}, {"~", "3"}, {"\xc3\xa9", "4"}}};
  std::string out;
  append_canonical_query(out, params, scratch);
  EXPECT_EQ(out, "%60=2&%C3%A9=4&_=1&~=3");
}

TEST(CanonicalQuery, EncodesNamesAndValuesFully) {
  canonical_scratch scratch;
  const std::array<query_param, 3> params{
      {{"uploads", ""},
       {"response-content-disposition", "attachment; filename=\"a b.txt\""},
       {"uploadId", "a+b/c=d"}}};
  std::string out;
  append_canonical_query(out, params, scratch);
  EXPECT_EQ(out,
            "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&"
            "uploadId=a%2Bb%2Fc%3Dd&uploads=");
}

TEST(CanonicalQuery, MergesPreEncodedParameters) {
  canonical_scratch scratch;
  const std::array<query_param, 2> params{{{"uploadId", "a+b"}, {"partNumber", "1"}}};
  const std::array<query_param, 2> encoded{
      {{"X-Amz-Credential", "AK%2Fscope"}, {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"}}};
  std::string out;
  append_canonical_query(out, params, encoded, scratch);
  // Pre-encoded values are copied as they are (no `%25`), the others are encoded.
  EXPECT_EQ(out,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2Fscope&partNumber=1&"
            "uploadId=a%2Bb");
}

TEST(CanonicalQuery, ManyParametersTakeTheGeneralSort) {
  canonical_scratch scratch;
  std::vector<std::string> names;
  for (int i = 40; i-- > 0;) {
    names.push_back("p" + std::to_string(100 + i));
  }
  std::vector<query_param> params;
  for (const auto& n : names) {
    params.push_back({n, "v"});
  }
  std::string out;
  append_canonical_query(out, params, scratch);
  EXPECT_EQ(out.substr(0, 20), "p100=v&p101=v&p102=v");
  EXPECT_EQ(out.substr(out.size() - 6), "p139=v");
}

TEST(CanonicalQuery, FromWire) {
  canonical_scratch scratch;
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},
      {"b=2&a=1", "a=1&b=2"},
      {"uploads", "uploads="},
      {"uploads=", "uploads="},
      {"a=1&&b=", "a=1&b="},
      {"a=b=c", "a=b%3Dc"},
      {"%7E=%7e", "~=~"},
      {"a+b=c+d", "a%20b=c%20d"},  // S3 reads `+` in a query as a space
      {"X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Date=1"},
      {"x-amz-signature=abc", "x-amz-signature=abc"},  // only the exact name is the signature
      {"%E1%88%B4=bar&Param=1", "%E1%88%B4=bar&Param=1"},
  };
  for (const auto& [raw, expected] : cases) {
    std::string out;
    ASSERT_TRUE(append_canonical_query_from_wire(out, raw, scratch).has_value()) << raw;
    EXPECT_EQ(out, expected) << raw;
  }
  std::string out;
  ASSERT_TRUE(
      append_canonical_query_from_wire(out, "a+b=1&X-Amz-Signature=s", scratch, false, false)
          .has_value());
  EXPECT_EQ(out, "X-Amz-Signature=s&a%2Bb=1");
  for (const char* bad : {"a=%", "%zz=1", "a=1&b=%4"}) {
    std::string bad_out;
    EXPECT_FALSE(append_canonical_query_from_wire(bad_out, bad, scratch).has_value()) << bad;
  }
}

TEST(CanonicalHeaders, LowerCasesSortsTrimsAndJoins) {
  canonical_scratch scratch;
  const std::array<header_field, 6> headers{{
      {"Host", "example.amazonaws.com"},
      {"My-Header1", "value2"},
      {"My-Header1", "  value2  "},
      {"my-header1", "value1"},
      {"X-Amz-Meta-Title", "  Hello   World \t (draft)  "},
      {"Content-Type", "image/png"},
  }};
  std::string block;
  std::string names;
  append_canonical_headers(block, names, headers, scratch);
  EXPECT_EQ(block,
            "content-type:image/png\n"
            "host:example.amazonaws.com\n"
            "my-header1:value2,value2,value1\n"
            "x-amz-meta-title:Hello World (draft)\n");
  EXPECT_EQ(names, "content-type;host;my-header1;x-amz-meta-title");
}

TEST(CanonicalHeaders, EmptyAndReusedScratch) {
  canonical_scratch scratch;
  std::string block = "keep:";
  std::string names = "keep;";
  append_canonical_headers(block, names, {}, scratch);
  EXPECT_EQ(block, "keep:");
  EXPECT_EQ(names, "keep;");
  const std::array<header_field, 1> one{{{"B", "2"}}};
  block.clear();
  names.clear();
  append_canonical_headers(block, names, one, scratch);
  EXPECT_EQ(block, "b:2\n");
  EXPECT_EQ(names, "b");
}

TEST(CanonicalHeaders, ManyHeadersStayStableForRepeatedNames) {
  canonical_scratch scratch;
  std::vector<std::string> storage;
  for (int i = 0; i < 30; ++i) {
    storage.push_back(std::to_string(i));
  }
  std::vector<header_field> headers;
  for (int i = 0; i < 30; ++i) {
    headers.push_back({i % 2 == 0 ? "x-even" : "X-Odd", storage[static_cast<std::size_t>(i)]});
  }
  std::string block;
  std::string names;
  append_canonical_headers(block, names, headers, scratch);
  EXPECT_EQ(block,
            "x-even:0,2,4,6,8,10,12,14,16,18,20,22,24,26,28\n"
            "x-odd:1,3,5,7,9,11,13,15,17,19,21,23,25,27,29\n");
  EXPECT_EQ(names, "x-even;x-odd");
}

TEST(CanonicalHeaderValue, TrimsAndCollapses) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},           {"   ", ""},       {"a", "a"},         {"  a  ", "a"},
      {"a   b", "a b"},   {"a\t\tb", "a b"}, {"\ta b\t", "a b"}, {"\"a   b   c\"", "\"a b c\""},
      {"a , b", "a , b"},
  };
  for (const auto& [in, expected] : cases) {
    std::string out;
    append_canonical_header_value(out, in);
    EXPECT_EQ(out, expected) << in;
  }
}

TEST(StringToSign, MatchesTheS3DocumentationExample) {
  // tests/data/presign p001: the S3 documentation's presigned GET.
  const std::string creq =
      "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%"
      "2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
      "86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-"
      "PAYLOAD";
  std::string built;
  append_canonical_request(built, "GET", "/test.txt",
                           "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%"
                           "2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&"
                           "X-Amz-Expires=86400&X-Amz-SignedHeaders=host",
                           "host:examplebucket.s3.amazonaws.com\n", "host", unsigned_payload);
  EXPECT_EQ(built, creq);
  std::string scope;
  append_scope(scope, credential_scope{"20130524", "us-east-1", "s3"});
  EXPECT_EQ(scope, "20130524/us-east-1/s3/aws4_request");
  std::string sts;
  append_string_to_sign(sts, "20130524T000000Z", scope, sha256(creq));
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  const hmac_sha256_key key(derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                               {"20130524", "us-east-1", "s3"}));
  EXPECT_EQ(to_hex(key.sign(sts)),
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

}  // namespace
}  // namespace onehop::sigv4
