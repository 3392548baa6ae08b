#include "store/bucket_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::store {
namespace {

// The policy the seed article applies to make uploaded images publicly readable.
constexpr std::string_view seed_policy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicReadGetObject",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::images/*"
    }
  ]
})";

TEST(BucketPolicy, SeedPolicyGrantsTheWholeBucket) {
  auto p = parse_bucket_policy(seed_policy, "images");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->text, seed_policy);
  EXPECT_TRUE(allows_anonymous_read(*p, "a.jpg"));
  EXPECT_TRUE(allows_anonymous_read(*p, "deep/../x"));
}

TEST(BucketPolicy, PrefixAndExactKeyGrants) {
  auto p = parse_bucket_policy(R"({"Version":"2008-10-17","Id":"x","Statement":{
      "Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:getobject"],
      "Resource":["arn:aws:s3:::b1k/public/*","arn:aws:s3:::b1k/logo.png"]}})",
                               "b1k");
  ASSERT_TRUE(p);
  EXPECT_TRUE(allows_anonymous_read(*p, "public/a.jpg"));
  EXPECT_TRUE(allows_anonymous_read(*p, "public/"));
  EXPECT_FALSE(allows_anonymous_read(*p, "public"));
  EXPECT_FALSE(allows_anonymous_read(*p, "private/a.jpg"));
  EXPECT_TRUE(allows_anonymous_read(*p, "logo.png"));
  EXPECT_FALSE(allows_anonymous_read(*p, "logo.png2"));
}

TEST(BucketPolicy, NoGrantNoRead) {
  EXPECT_FALSE(allows_anonymous_read(bucket_policy{}, "k"));
}

TEST(BucketPolicy, MalformedPolicies) {
  const char* cases[] = {
      "",
      "not json",
      "[]",
      R"({"Version":"2012-10-17"})",
      R"({"Version":"2012-10-18","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]})",
      R"({"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"ec2:Run","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*","Extra":1}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}],"Bogus":1})",
  };
  for (const char* text : cases) {
    auto p = parse_bucket_policy(text, "b1k");
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error(), parse_errc::malformed_policy) << text;
  }
}

TEST(BucketPolicy, RefusesWhatItWouldOtherwiseIgnore) {
  const char* cases[] = {
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4/32"}}}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b1k/*"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*/x"}]})",
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/a?c"}]})",
      R"({"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1k/*"}]})",
  };
  for (const char* text : cases) {
    auto p = parse_bucket_policy(text, "b1k");
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error(), parse_errc::not_implemented) << text;
  }
}

TEST(BucketPolicy, SizeLimitAtNAndNPlusOne) {
  std::string text(seed_policy);
  text.append(max_bucket_policy_bytes - text.size(), ' ');
  EXPECT_TRUE(parse_bucket_policy(text, "images"));
  text.push_back(' ');
  EXPECT_EQ(parse_bucket_policy(text, "images").error(), parse_errc::policy_too_large);
}

}  // namespace
}  // namespace onehop::store
