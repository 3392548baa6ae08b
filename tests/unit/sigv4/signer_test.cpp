#include "sigv4/signer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "sigv4/encoding.hpp"
#include "sigv4/signing_key.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {
namespace {

using namespace std::chrono;

const errc invalid = errc::invalid_argument;

bool fails_with(const result<void>& r, errc e) {
  return !r.has_value() && r.error() == e;
}

signer_config local_config() {
  signer_config c;
  c.creds = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  c.endpoint = parse_endpoint("http://127.0.0.1:9000").value();
  c.region = "us-east-1";
  return c;
}

const sys_seconds t0 = parse_amz_date("20240101T120000Z").value();

TEST(Endpoint, ParsesHostPortAndScheme) {
  auto ep = parse_endpoint("http://127.0.0.1:9000").value();
  EXPECT_EQ(ep.scheme, "http");
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, 9000);
  EXPECT_EQ(ep.authority(), "127.0.0.1:9000");

  ep = parse_endpoint("HTTPS://S3.Example.TEST/").value();
  EXPECT_EQ(ep.scheme, "https");
  EXPECT_EQ(ep.authority(), "s3.example.test");

  EXPECT_EQ(parse_endpoint("http://h:80").value().authority(), "h");
  EXPECT_EQ(parse_endpoint("https://h:443").value().authority(), "h");
  EXPECT_EQ(parse_endpoint("http://h:443").value().authority(), "h:443");
  EXPECT_EQ(parse_endpoint("https://h:80").value().authority(), "h:80");
  EXPECT_EQ(parse_endpoint("http://h:65535").value().port, 65535);
  EXPECT_EQ(parse_endpoint("http://h:1").value().port, 1);
}

TEST(Endpoint, Ipv6Literals) {
  auto ep = parse_endpoint("http://[::1]:9000").value();
  EXPECT_EQ(ep.host, "[::1]");
  EXPECT_EQ(ep.authority(), "[::1]:9000");
  EXPECT_EQ(parse_endpoint("https://[2001:DB8::1]").value().authority(), "[2001:db8::1]");
  EXPECT_EQ(parse_endpoint("http://[::ffff:127.0.0.1]/").value().authority(), "[::ffff:127.0.0.1]");
}

TEST(Endpoint, RejectsEverythingElse) {
  for (const char* bad : {"",
                          "127.0.0.1:9000",
                          "ftp://h",
                          "http:/h",
                          "http://",
                          "http://:9000",
                          "http://h:",
                          "http://h:0",
                          "http://h:65536",
                          "http://h:123456",
                          "http://h:9x",
                          "http://h/path",
                          "http://h//",
                          "http://u@h",
                          "http://h?x",
                          "http://h#f",
                          "http://h h",
                          "http://[::1",
                          "http://[zz]",
                          "http://[]",
                          "http://[::1]x",
                          "http://[::1]:",
                          "http://h:-1"}) {
    EXPECT_FALSE(parse_endpoint(bad).has_value()) << bad;
  }
}

TEST(Endpoint, UrlSizeLimit) {
  const std::string prefix = "http://";
  // A 253-byte host is the longest accepted; the URL cap is checked first.
  EXPECT_TRUE(parse_endpoint(prefix + std::string(253, 'a')).has_value());
  EXPECT_FALSE(parse_endpoint(prefix + std::string(254, 'a')).has_value());
  const std::string at_cap = prefix + std::string(max_endpoint_url_size - prefix.size(), 'a');
  EXPECT_FALSE(parse_endpoint(at_cap).has_value());  // too long a host, but within the URL cap
  EXPECT_FALSE(parse_endpoint(at_cap + "a").has_value());
}

TEST(Endpoint, AwsDefaults) {
  EXPECT_EQ(aws_endpoint("us-east-1").authority(), "s3.amazonaws.com");
  EXPECT_EQ(aws_endpoint("eu-west-1").authority(), "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws_endpoint("eu-west-1").scheme, "https");
}

TEST(Validate, KeyLimits) {
  EXPECT_TRUE(validate_key("a").has_value());
  EXPECT_TRUE(validate_key(std::string(max_key_size, 'k')).has_value());
  EXPECT_TRUE(fails_with(validate_key(std::string(max_key_size + 1, 'k')), invalid));
  EXPECT_TRUE(fails_with(validate_key(""), invalid));
  EXPECT_TRUE(fails_with(validate_key("bad\xc3"), invalid));
  EXPECT_TRUE(fails_with(validate_key("\xc0\x80"), invalid));
  // 1024 bytes that end in a 2-byte character are fine; cutting it in half is not.
  EXPECT_TRUE(validate_key(std::string(max_key_size - 2, 'k') + "\xc3\xbc").has_value());
  EXPECT_TRUE(fails_with(validate_key(std::string(max_key_size - 1, 'k') + "\xc3"), invalid));
}

TEST(Validate, BucketNames) {
  EXPECT_TRUE(validate_bucket("abc", addressing_style::path).has_value());
  EXPECT_TRUE(fails_with(validate_bucket("ab", addressing_style::path), invalid));
  EXPECT_TRUE(validate_bucket(std::string(63, 'b'), addressing_style::path).has_value());
  EXPECT_TRUE(fails_with(validate_bucket(std::string(64, 'b'), addressing_style::path), invalid));
  EXPECT_TRUE(validate_bucket("bucket.with.dots", addressing_style::path).has_value());
  EXPECT_TRUE(
      fails_with(validate_bucket("bucket.with.dots", addressing_style::virtual_hosted), invalid));
  EXPECT_TRUE(validate_bucket("my-upload-bucket", addressing_style::virtual_hosted).has_value());
  for (const char* bad : {"Upper", "-abc", "abc-", "a_b", "a/b", "a b", ".abc"}) {
    EXPECT_TRUE(fails_with(validate_bucket(bad, addressing_style::path), invalid)) << bad;
  }
}

class PresignLimits : public testing::Test {
 protected:
  presigner signer_{local_config()};
  presign_request request_ = [] {
    presign_request r;
    r.method = "PUT";
    r.bucket = "bucket";
    r.key = "uploads/a.jpg";
    return r;
  }();
  std::string url_;

  result<void> presign() { return signer_.presign(url_, request_, t0); }
};

TEST_F(PresignLimits, ExpiryFromOneSecondToSevenDays) {
  request_.expires = seconds{0};
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.expires = seconds{1};
  EXPECT_TRUE(presign().has_value());
  EXPECT_NE(url_.find("&X-Amz-Expires=1&"), std::string::npos);
  request_.expires = seconds{604800};
  EXPECT_TRUE(presign().has_value());
  EXPECT_NE(url_.find("&X-Amz-Expires=604800&"), std::string::npos);
  request_.expires = seconds{604801};
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.expires = seconds{-1};
  EXPECT_TRUE(fails_with(presign(), invalid));
}

TEST_F(PresignLimits, KeyLengthAndEncoding) {
  const std::string max_key(max_key_size, 'k');
  request_.key = max_key;
  EXPECT_TRUE(presign().has_value());
  const std::string too_long(max_key_size + 1, 'k');
  request_.key = too_long;
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.key = "";
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.key = "not\xffutf8";
  EXPECT_TRUE(fails_with(presign(), invalid));
}

TEST_F(PresignLimits, RefusesHeadersTheSignerOwnsOrThatCannotBeSent) {
  for (const char* name : {"Host", "authorization", "X-Amz-Date", "x-amz-content-sha256",
                           "X-Amz-Security-Token", "bad name", "", "colon:"}) {
    const std::array<header_field, 1> headers{{{name, "v"}}};
    request_.headers = headers;
    EXPECT_TRUE(fails_with(presign(), invalid)) << name;
  }
  for (const char* value : {"a\nb", "a\rb", "a\x01", "\x7f"}) {
    const std::array<header_field, 1> headers{{{"x-amz-meta-a", value}}};
    request_.headers = headers;
    EXPECT_TRUE(fails_with(presign(), invalid));
  }
  const std::string with_nul("a\0b", 3);
  const std::array<header_field, 1> nul_header{{{"x-amz-meta-a", with_nul}}};
  request_.headers = nul_header;
  EXPECT_TRUE(fails_with(presign(), invalid));
  const std::array<header_field, 1> tab{{{"x-amz-meta-a", "a\tb"}}};
  request_.headers = tab;
  EXPECT_TRUE(presign().has_value());
}

TEST_F(PresignLimits, RefusesAuthQueryParameters) {
  for (const char* name : {"X-Amz-Signature", "x-amz-credential", "X-Amz-Expires", ""}) {
    const std::array<query_param, 1> query{{{name, "v"}}};
    request_.query = query;
    EXPECT_TRUE(fails_with(presign(), invalid)) << name;
  }
}

TEST_F(PresignLimits, RefusesBadMethodsAndTimes) {
  request_.method = "";
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.method = "P UT";
  EXPECT_TRUE(fails_with(presign(), invalid));
  request_.method = "PUT";
  EXPECT_TRUE(fails_with(signer_.presign(url_, request_, sys_days{year{10000} / 1 / 1}), invalid));
  EXPECT_TRUE(fails_with(signer_.presign(url_, request_, sys_days{year{-1} / 1 / 1}), invalid));
}

TEST(Presign, EndpointRootWithoutBucket) {
  presigner signer(local_config());
  presign_request r;
  std::string url;
  ASSERT_TRUE(signer.presign(url, r, t0).has_value());
  EXPECT_EQ(url.rfind("http://127.0.0.1:9000/?X-Amz-Algorithm=AWS4-HMAC-SHA256&", 0), 0u);
  EXPECT_EQ(signer.canonical_request().substr(0, 6), "GET\n/\n");
}

TEST(Presign, VirtualHostedNeedsAHostName) {
  signer_config c = local_config();
  c.endpoint = parse_endpoint("http://[::1]:9000").value();
  c.style = addressing_style::virtual_hosted;
  presigner signer(c);
  presign_request r;
  r.bucket = "bucket";
  r.key = "k";
  std::string url;
  EXPECT_TRUE(fails_with(signer.presign(url, r, t0), invalid));
  c.style = addressing_style::path;
  presigner path_signer(c);
  ASSERT_TRUE(path_signer.presign(url, r, t0).has_value());
  EXPECT_EQ(url.rfind("http://[::1]:9000/bucket/k?", 0), 0u);
}

// The day's key is derived once and replaced at midnight UTC: a long-lived presigner gives the
// same URLs as fresh ones on both sides of the change.
TEST(Presign, DayRollover) {
  presigner reused(local_config());
  presign_request r;
  r.method = "PUT";
  r.bucket = "bucket";
  r.key = "k";
  const sys_seconds before = parse_amz_date("20231231T235959Z").value();
  const sys_seconds after = before + seconds{1};
  for (const sys_seconds t : {before, after, before, after + days{400}}) {
    std::string reused_url;
    ASSERT_TRUE(reused.presign(reused_url, r, t).has_value());
    presigner fresh(local_config());
    std::string fresh_url;
    ASSERT_TRUE(fresh.presign(fresh_url, r, t).has_value());
    EXPECT_EQ(reused_url, fresh_url);
    std::string scope_date(date_stamp_size, ' ');
    format_date_stamp(t, scope_date.data());
    EXPECT_NE(reused_url.find("%2F" + scope_date + "%2Fus-east-1%2Fs3%2Faws4_request"),
              std::string::npos);
  }
}

TEST(Presign, SignatureCoversEveryInput) {
  presigner signer(local_config());
  const std::array<header_field, 2> headers{
      {{"content-type", "image/jpeg"}, {"content-length", "12"}}};
  presign_request base;
  base.method = "PUT";
  base.bucket = "bucket";
  base.key = "uploads/a.jpg";
  base.headers = headers;
  std::string url;
  ASSERT_TRUE(signer.presign(url, base, t0).has_value());
  const std::string base_sig(signer.signature());

  std::vector<presign_request> variants(6, base);
  variants[0].method = "GET";
  variants[1].key = "uploads/b.jpg";
  const std::array<header_field, 2> other_length{
      {{"content-type", "image/jpeg"}, {"content-length", "13"}}};
  variants[2].headers = other_length;
  variants[3].expires = seconds{901};
  const std::array<query_param, 1> part{{{"partNumber", "1"}}};
  variants[4].query = part;
  variants[5].payload_hash = empty_sha256_hex;
  for (const auto& v : variants) {
    ASSERT_TRUE(signer.presign(url, v, t0).has_value());
    EXPECT_NE(signer.signature(), base_sig);
  }
  ASSERT_TRUE(signer.presign(url, base, t0 + seconds{1}).has_value());
  EXPECT_NE(signer.signature(), base_sig);
  ASSERT_TRUE(signer.presign(url, base, t0).has_value());
  EXPECT_EQ(signer.signature(), base_sig);
}

// botocore leaves `Content-Type: application/x-www-form-urlencoded; charset=utf-8` out of its
// presigned URLs (an artifact of its serializer; vector p161 therefore signs no content-type).
// We sign exactly the headers we are given: the uploader's Content-Type stays bound.
TEST(Presign, SignsEveryGivenContentType) {
  presigner signer(local_config());
  const std::array<header_field, 1> headers{
      {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}};
  presign_request r;
  r.method = "PUT";
  r.bucket = "bucket";
  r.key = "k";
  r.headers = headers;
  std::string url;
  ASSERT_TRUE(signer.presign(url, r, t0).has_value());
  EXPECT_NE(url.find("X-Amz-SignedHeaders=content-type%3Bhost&"), std::string::npos);
  EXPECT_NE(signer.canonical_request().find(
                "\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"),
            std::string::npos);
}

// S3 documentation, "Signature Calculations for the Authorization Header: Transferring Payload in
// a Single Chunk", GET Object example (Range header).
TEST(SignHeaders, S3DocumentationGetObjectExample) {
  signer_config c;
  c.creds = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  c.endpoint = aws_endpoint("us-east-1");
  c.region = "us-east-1";
  c.style = addressing_style::virtual_hosted;
  presigner signer(c);
  const std::array<header_field, 1> headers{{{"Range", "bytes=0-9"}}};
  sign_request r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "test.txt";
  r.headers = headers;
  header_auth auth;
  ASSERT_TRUE(signer.sign(auth, r, parse_amz_date("20130524T000000Z").value()).has_value());
  EXPECT_EQ(
      signer.canonical_request(),
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(auth.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(auth.host, "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(auth.target, "/test.txt");
  EXPECT_EQ(auth.amz_date, "20130524T000000Z");
  EXPECT_EQ(auth.content_sha256, empty_sha256_hex);
  EXPECT_EQ(auth.security_token, "");
  EXPECT_EQ(auth.scope, "20130524/us-east-1/s3/aws4_request");
}

TEST(SignHeaders, TargetKeepsQueryOrderAndTokenIsSigned) {
  signer_config c = local_config();
  c.creds.session_token = "tok/en+=";
  presigner signer(c);
  const std::array<query_param, 2> query{{{"uploadId", "a+b/c"}, {"partNumber", "2"}}};
  sign_request r;
  r.method = "PUT";
  r.bucket = "bucket";
  r.key = "dir/a b.bin";
  r.query = query;
  r.payload_hash = unsigned_payload;
  header_auth auth;
  ASSERT_TRUE(signer.sign(auth, r, t0).has_value());
  EXPECT_EQ(auth.target, "/bucket/dir/a%20b.bin?uploadId=a%2Bb%2Fc&partNumber=2");
  EXPECT_EQ(auth.security_token, "tok/en+=");
  EXPECT_EQ(auth.content_sha256, "UNSIGNED-PAYLOAD");
  EXPECT_NE(signer.canonical_request().find("\npartNumber=2&uploadId=a%2Bb%2Fc\n"),
            std::string::npos);
  EXPECT_NE(signer.canonical_request().find("\nx-amz-security-token:tok/en+=\n"),
            std::string::npos);
  EXPECT_NE(auth.authorization.find(
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);

  r.send_content_sha256 = false;
  ASSERT_TRUE(signer.sign(auth, r, t0).has_value());
  EXPECT_EQ(auth.content_sha256, "");
  EXPECT_EQ(signer.canonical_request().find("x-amz-content-sha256"), std::string::npos);
}

TEST(SignHeaders, RejectsBadPayloadHashes) {
  presigner signer(local_config());
  sign_request r;
  r.bucket = "bucket";
  r.key = "k";
  header_auth auth;
  for (const char* bad : {"", "has space", "new\nline", "a/b"}) {
    r.payload_hash = bad;
    EXPECT_TRUE(fails_with(signer.sign(auth, r, t0), invalid)) << bad;
  }
  const std::string too_long(129, 'a');
  r.payload_hash = too_long;
  EXPECT_TRUE(fails_with(signer.sign(auth, r, t0), invalid));
  const std::string longest(128, 'a');
  r.payload_hash = longest;
  EXPECT_TRUE(signer.sign(auth, r, t0).has_value());
}

// tests/data/sigv4-streaming: the seed signature of aws-chunked uploads (header auth with
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD), and the signing key handed to the chunk signer.
TEST(SignHeaders, StreamingSeedSignatures) {
  namespace json = boost::json;
  std::ifstream in(std::string(ONEHOP_TEST_DATA) + "/sigv4-streaming/aws-chunked-signed.jsonl");
  std::string line;
  std::size_t cases = 0;
  while (std::getline(in, line)) {
    const json::object c = json::parse(line).as_object();
    const auto str = [](const json::value& v) { return std::string(v.as_string().c_str()); };
    SCOPED_TRACE(str(c.at("id")));
    const std::string url = str(c.at("url"));
    const std::size_t authority_end = url.find('/', url.find("://") + 3);
    const std::size_t q = url.find('?');
    const std::string origin = url.substr(0, authority_end);
    const std::string path =
        percent_decode(url.substr(authority_end, q == std::string::npos ? q : q - authority_end))
            .value();

    signer_config config;
    const json::object& creds = c.at("credentials").as_object();
    config.creds.access_key_id = str(creds.at("access_key_id"));
    config.creds.secret_access_key = str(creds.at("secret_access_key"));
    if (!creds.at("session_token").is_null()) {
      config.creds.session_token = str(creds.at("session_token"));
    }
    config.region = str(c.at("region"));
    config.service = str(c.at("service"));
    std::string bucket;
    std::string key;
    const std::string virtual_prefix = "https://my-upload-bucket.";
    if (origin.rfind(virtual_prefix, 0) == 0) {
      config.style = addressing_style::virtual_hosted;
      config.endpoint = parse_endpoint("https://" + origin.substr(virtual_prefix.size())).value();
      bucket = "my-upload-bucket";
      key = path.substr(1);
    } else {
      config.endpoint = parse_endpoint(origin).value();
      const std::size_t slash = path.find('/', 1);
      bucket = path.substr(1, slash - 1);
      key = path.substr(slash + 1);
    }
    std::vector<std::pair<std::string, std::string>> decoded_query;
    if (q != std::string::npos) {
      std::string_view raw = std::string_view(url).substr(q + 1);
      while (!raw.empty()) {
        const std::size_t amp = raw.find('&');
        const std::string_view seg = raw.substr(0, amp);
        raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
        const std::size_t eq = seg.find('=');
        decoded_query.emplace_back(percent_decode(seg.substr(0, eq)).value(),
                                   percent_decode(seg.substr(eq + 1)).value());
      }
    }
    std::vector<query_param> query;
    for (const auto& [n, v] : decoded_query) {
      query.push_back({n, v});
    }
    std::vector<std::pair<std::string, std::string>> header_storage;
    for (const auto& kv : c.at("request_headers").as_object()) {
      const std::string name(kv.key());
      if (name == "x-amz-date" || name == "x-amz-content-sha256" ||
          name == "x-amz-security-token") {
        continue;  // the signer adds these
      }
      header_storage.emplace_back(name, str(kv.value()));
    }
    std::vector<header_field> headers;
    for (const auto& [n, v] : header_storage) {
      headers.push_back({n, v});
    }

    presigner signer(config);
    const std::string method = str(c.at("method"));
    sign_request r;
    r.method = method;
    r.bucket = bucket;
    r.key = key;
    r.query = query;
    r.headers = headers;
    r.payload_hash = streaming_payload;
    header_auth auth;
    ASSERT_TRUE(signer.sign(auth, r, parse_amz_date(str(c.at("timestamp"))).value()).has_value());
    const json::object& expected = c.at("expected").as_object();
    EXPECT_EQ(signer.canonical_request(), str(expected.at("canonical_request")));
    EXPECT_EQ(signer.string_to_sign(), str(expected.at("string_to_sign")));
    EXPECT_EQ(auth.signature, str(expected.at("seed_signature")));
    EXPECT_EQ(auth.authorization, str(expected.at("authorization")));
    // The first chunk's signature, computed with the key we hand out.
    const json::object& chunk0 = expected.at("chunks").as_array().at(0).as_object();
    const hmac_sha256_key chunk_key(auth.signing_key);
    EXPECT_EQ(to_hex(chunk_key.sign(str(chunk0.at("string_to_sign")))),
              str(chunk0.at("signature")));
    ++cases;
  }
  EXPECT_EQ(cases, 6u);
}

}  // namespace
}  // namespace onehop::sigv4
