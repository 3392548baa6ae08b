// The Uppy signer is checked with the store's own verifier and policy evaluator (sigv4/verify.hpp),
// not by recomputing signatures.
#include "api/uppy_signing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sigv4/verify.hpp"

namespace onehop::api {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view access_key = "AKIAUPPYTEST";
constexpr std::string_view secret_key = "uppy-test-secret-key";
const std::chrono::sys_seconds now{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + 14h};

app_config test_config() {
  app_config c;
  c.storage.bucket = "onehop";
  c.storage.signer.creds = {std::string(access_key), std::string(secret_key), ""};
  c.storage.signer.region = "us-east-1";
  c.storage.signer.endpoint = sigv4::parse_endpoint("http://storage.internal:9000").value();
  c.public_endpoint = sigv4::parse_endpoint("http://127.0.0.1:9000").value();
  return c;
}

sigv4::verifier make_verifier() {
  return sigv4::verifier({}, [](std::string_view id) -> sigv4::result<sigv4::credentials_view> {
    if (id != access_key)
      return sigv4::errc::invalid_access_key_id;
    return sigv4::credentials_view{access_key, secret_key, {}};
  });
}

struct split_url {
  std::string authority, path, query;
};

split_url split(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme + 3);
  const auto q = url.find('?');
  return {url.substr(scheme + 3, path - scheme - 3), url.substr(path, q - path), url.substr(q + 1)};
}

sigv4::result<sigv4::verified_request> verify_put(sigv4::verifier& v, const split_url& u,
                                                  std::vector<sigv4::header_field> extra = {}) {
  std::vector<sigv4::header_field> headers{{"Host", u.authority}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  sigv4::http_request_view req;
  req.method = "PUT";
  req.path = u.path;
  req.query = u.query;
  req.headers = headers;
  return v.verify(req, now + 10s);
}

TEST(UppySigner, PartUrlSignsOnlyHostForThePublicEndpoint) {
  const app_config config = test_config();
  uppy_signer signer(config);
  std::string url;
  ASSERT_TRUE(signer.part_url(url, "uploads/alice/x.png", "UP/ID+1", 3, 600s, now));
  EXPECT_EQ(url.rfind("http://127.0.0.1:9000/onehop/uploads/alice/x.png?", 0), 0u) << url;
  EXPECT_NE(url.find("partNumber=3"), std::string::npos);
  EXPECT_NE(url.find("uploadId=UP%2FID%2B1"), std::string::npos);
  EXPECT_NE(url.find("X-Amz-SignedHeaders=host&"), std::string::npos);
  EXPECT_NE(url.find("X-Amz-Expires=600"), std::string::npos);
  // Companion 6.2.2's empty-body CRC32 makes real parts fail: never any checksum parameter.
  EXPECT_EQ(url.find("checksum"), std::string::npos);

  sigv4::verifier v = make_verifier();
  const split_url u = split(url);
  auto ok = verify_put(v, u);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->payload, sigv4::payload_mode::unsigned_payload);
  // Any length and no Content-Type: what Uppy sends for a sliced Blob.
  EXPECT_TRUE(verify_put(v, u, {{"Content-Length", "5242880"}}));

  // Another part number or upload id is another signature.
  split_url other = u;
  other.query.replace(other.query.find("partNumber=3"), 12, "partNumber=4");
  EXPECT_FALSE(verify_put(v, other));
  // Expired after its lifetime.
  sigv4::http_request_view late;
  std::vector<sigv4::header_field> host{{"Host", u.authority}};
  late.method = "PUT";
  late.path = u.path;
  late.query = u.query;
  late.headers = host;
  EXPECT_FALSE(v.verify(late, now + 601s));
}

TEST(UppySigner, PostFormCapsTheSizeAndFixesTypeAndKey) {
  const app_config config = test_config();
  uppy_signer signer(config);
  auto form = signer.post_form("uploads/alice/x.png", "image/png", 1000, 900s, now);
  ASSERT_TRUE(form) << form.error().message;
  ASSERT_GE(form->fields.size(), 3u);
  EXPECT_EQ(form->fields[0].name, "key");
  EXPECT_EQ(form->fields[0].value, "uploads/alice/x.png");
  EXPECT_EQ(form->fields[1].name, "Content-Type");
  EXPECT_EQ(form->fields[2].name, "success_action_status");
  EXPECT_EQ(form->fields[2].value, "201");

  const auto fields_of = [](const sigv4::presigned_post& f) {
    std::vector<sigv4::form_field> out;
    for (const auto& field : f.fields)
      out.push_back({field.name, field.value});
    return out;
  };
  sigv4::verifier v = make_verifier();
  const auto fields = fields_of(*form);
  auto verified = v.verify_post(fields, "onehop", "cat.png", now + 10s);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->decision.key, "uploads/alice/x.png");
  const auto& range = verified->decision.length_range;
  EXPECT_TRUE(sigv4::check_content_length(range, 1));
  EXPECT_TRUE(sigv4::check_content_length(range, 1000));
  EXPECT_FALSE(sigv4::check_content_length(range, 1001));
  EXPECT_FALSE(sigv4::check_content_length(range, 0));

  // Another type, another key, or an extra field breaks the policy.
  auto tampered = fields;
  tampered[1].value = "text/html";
  EXPECT_FALSE(v.verify_post(tampered, "onehop", "cat.png", now + 10s));
  tampered = fields;
  tampered[0].value = "uploads/bob/x.png";
  EXPECT_FALSE(v.verify_post(tampered, "onehop", "cat.png", now + 10s));
  tampered = fields;
  tampered.push_back({"acl", "public-read"});
  EXPECT_FALSE(v.verify_post(tampered, "onehop", "cat.png", now + 10s));
  // And it expires.
  EXPECT_FALSE(v.verify_post(fields, "onehop", "cat.png", now + 901s));
}

TEST(UppySigner, ObjectLocationEncodesTheKeyKeepingSlashes) {
  EXPECT_EQ(object_location("http://127.0.0.1:9000/onehop", "uploads/alice/x.png"),
            "http://127.0.0.1:9000/onehop/uploads/alice/x.png");
  EXPECT_EQ(object_location("http://127.0.0.1:9000/onehop/", "a b/c+d.png"),
            "http://127.0.0.1:9000/onehop/a%20b/c%2Bd.png");
}

}  // namespace
}  // namespace onehop::api
