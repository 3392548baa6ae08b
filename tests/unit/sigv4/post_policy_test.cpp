// POST policies: serialization (Python json.dumps byte for byte), building, the received-policy
// grammar with its caps, and evaluation of a form. botocore's own policies are checked in
// verify_vectors_test.cpp.

#include "sigv4/post_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include "sigv4/encoding.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {
namespace {

using std::chrono::seconds;

std::chrono::sys_seconds t0() {
  return *parse_amz_date("20130524T000000Z");
}

field_condition eq(std::string field, std::string value) {
  return {condition_op::eq, std::move(field), std::move(value), false};
}
field_condition exact(std::string field, std::string value) {
  return {condition_op::eq, std::move(field), std::move(value), true};
}
field_condition prefix(std::string field, std::string value) {
  return {condition_op::starts_with, std::move(field), std::move(value), false};
}

std::string b64(std::string_view json) {
  return base64_encode(json);
}

TEST(PostPolicy, SerializesLikePythonJsonDumps) {
  post_policy p;
  p.expiration = t0() + seconds{3600};
  // Expected text produced by Python 3: json.dumps({...}) with the same content.
  p.conditions = {
      exact("x-amz-meta-a", "q\"b\\\\n\n\t\x01\x7f/\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"),
      prefix("key", ""),
      content_length_range{0, std::numeric_limits<std::uint64_t>::max()},
      eq("Content-Type", "image/png"),
  };
  auto json = serialize_post_policy(p);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(
      *json,
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [{"x-amz-meta-a": "q\"b\\\\n\n\t\u0001\u007f/\u00e9\u65e5\ud83d\ude00"}, ["starts-with", "$key", ""], ["content-length-range", 0, 18446744073709551615], ["eq", "$Content-Type", "image/png"]]})");

  p.conditions = {exact("key", "\xff")};
  EXPECT_EQ(serialize_post_policy(p).error(), errc::invalid_argument);
}

TEST(PostPolicy, PresignPostBuildsBotocoresFieldSet) {
  const form_field extra[] = {{"Content-Type", "image/png"}};
  const policy_condition conditions[] = {content_length_range{1, 100},
                                         eq("Content-Type", "image/png")};
  post_form_request req;
  req.bucket = "bkt";
  req.key = "user/42/${filename}";
  req.region = "eu-west-1";
  req.credentials = {"AK", "secret", "tok"};
  req.now = t0();
  req.expires = seconds{600};
  req.fields = extra;
  req.conditions = conditions;
  auto post = presign_post(req);
  ASSERT_TRUE(post.has_value());
  std::vector<std::string> names;
  for (const auto& f : post->fields) {
    names.push_back(f.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"key", "Content-Type", "x-amz-algorithm",
                                             "x-amz-credential", "x-amz-date",
                                             "x-amz-security-token", "policy", "x-amz-signature"}));
  EXPECT_EQ(post->fields[0].value, "user/42/${filename}");
  EXPECT_EQ(post->fields[3].value, "AK/20130524/eu-west-1/s3/aws4_request");
  EXPECT_EQ(post->fields[6].value, post->policy_base64);
  EXPECT_EQ(post->fields[7].value, post->signature);
  EXPECT_EQ(*base64_decode(post->policy_base64), post->policy_json);
  EXPECT_EQ(
      post->policy_json,
      R"({"expiration": "2013-05-24T00:10:00Z", "conditions": [["content-length-range", 1, 100], ["eq", "$Content-Type", "image/png"], {"bucket": "bkt"}, ["starts-with", "$key", "user/42/"], {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "AK/20130524/eu-west-1/s3/aws4_request"}, {"x-amz-date": "20130524T000000Z"}, {"x-amz-security-token": "tok"}]})");

  // The policy it built accepts the form it built.
  auto parsed = parse_post_policy(post->policy_base64);
  ASSERT_TRUE(parsed.has_value());
  std::vector<form_field> form;
  for (const auto& f : post->fields) {
    form.push_back({f.name, f.value});
  }
  auto d = evaluate_post_policy(*parsed, form, "bkt", "cat.png", t0());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->key, "user/42/cat.png");
  EXPECT_EQ(d->length_range.min, 1u);
  EXPECT_EQ(d->length_range.max, 100u);

  req.expires = seconds{0};
  EXPECT_EQ(presign_post(req).error(), errc::invalid_argument);
}

TEST(PostPolicy, ParsesEveryConditionForm) {
  const std::string json = R"({"expiration": "2013-05-24T01:00:00.000Z", "extra": 1,
    "conditions": [
      {"bucket": "bkt", "acl": "private"},
      ["EQ", "$Content-Type", "image/png"],
      ["Starts-With", "$key", "u/"],
      ["content-length-range", 1, 10],
      ["content-length-range", "5", "20"]
    ]})";
  auto p = parse_post_policy(b64(json));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expiration, t0() + seconds{3600});
  ASSERT_EQ(p->conditions.size(), 6u);
  const auto& bucket = std::get<field_condition>(p->conditions[0]);
  EXPECT_EQ(bucket.field, "bucket");
  EXPECT_EQ(bucket.value, "bkt");
  EXPECT_TRUE(bucket.object_form);
  const auto& ct = std::get<field_condition>(p->conditions[2]);
  EXPECT_EQ(ct.op, condition_op::eq);
  EXPECT_EQ(ct.field, "Content-Type");
  const auto& key = std::get<field_condition>(p->conditions[3]);
  EXPECT_EQ(key.op, condition_op::starts_with);
  EXPECT_EQ(key.value, "u/");
  EXPECT_EQ(std::get<content_length_range>(p->conditions[5]).min, 5u);
}

TEST(PostPolicy, RejectsMalformedPolicies) {
  const std::vector<std::string> bad_json = {
      "",
      "[]",
      "not json",
      R"({"conditions": []})",
      R"({"expiration": "2013-05-24T01:00:00Z"})",
      R"({"expiration": 5, "conditions": []})",
      R"({"expiration": "2013-05-24 01:00:00", "conditions": []})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": {}})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [5]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [{}]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [{"acl": 1}]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["eq", "$key"]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["eq", "key", "a"]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["eq", "$", "a"]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["ne", "$key", "a"]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["eq", "$key", 1]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["starts-with", "$bucket", "b"]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["starts-with", "$X-Amz-Date", ""]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["content-length-range", 10, 1]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["content-length-range", -1, 1]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["content-length-range", 1.5, 2]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["content-length-range", "1x", 2]]})",
      R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [["content-length-range", 1, 2, 3]]})",
  };
  for (const std::string& j : bad_json) {
    EXPECT_EQ(parse_post_policy(b64(j)).error(), errc::invalid_policy_document) << j;
  }
  for (std::string_view text : {"e30", "e30=\n", "!!!!", "e3=="}) {
    EXPECT_EQ(parse_post_policy(text).error(), errc::invalid_policy_document) << text;
  }
}

TEST(PostPolicy, ByteAndConditionCaps) {
  const std::string text =
      b64(R"({"expiration": "2013-05-24T01:00:00Z", "conditions": [{"a": "1"}, {"b": "2"}]})");
  policy_limits limits;
  limits.policy_base64_bytes = text.size();
  limits.conditions = 2;
  EXPECT_TRUE(parse_post_policy(text, limits));
  limits.policy_base64_bytes = text.size() - 1;
  EXPECT_EQ(parse_post_policy(text, limits).error(), errc::max_message_length_exceeded);
  limits.policy_base64_bytes = text.size();
  limits.conditions = 1;
  EXPECT_EQ(parse_post_policy(text, limits).error(), errc::invalid_policy_document);
}

// ---- Evaluation ----

post_policy sample_policy() {
  post_policy p;
  p.expiration = t0() + seconds{60};
  p.conditions = {exact("bucket", "bkt"),
                  prefix("key", "uploads/"),
                  eq("Content-Type", "image/png"),
                  prefix("x-amz-meta-tag", "t-"),
                  prefix("success_action_redirect", ""),
                  content_length_range{10, 1000},
                  content_length_range{5, 500},
                  exact("x-amz-algorithm", "AWS4-HMAC-SHA256")};
  return p;
}

std::vector<form_field> sample_form() {
  return {{"key", "uploads/${filename}"}, {"content-type", "image/png"},
          {"X-Amz-Meta-Tag", "t-1"},      {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
          {"policy", "ignored"},          {"X-Amz-Signature", "ignored"},
          {"x-ignore-anything", "1"}};
}

TEST(PostPolicyEval, AcceptsAMatchingForm) {
  auto d = evaluate_post_policy(sample_policy(), sample_form(), "bkt", "a.png", t0());
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(d->key, "uploads/a.png");
  EXPECT_EQ(d->length_range.min, 10u);
  EXPECT_EQ(d->length_range.max, 500u);
}

TEST(PostPolicyEval, ExpirationBoundary) {
  const auto p = sample_policy();
  EXPECT_TRUE(evaluate_post_policy(p, sample_form(), "bkt", "a.png", p.expiration - seconds{1}));
  EXPECT_EQ(evaluate_post_policy(p, sample_form(), "bkt", "a.png", p.expiration).error(),
            errc::request_expired);
}

TEST(PostPolicyEval, ConditionFailures) {
  const auto p = sample_policy();
  EXPECT_EQ(evaluate_post_policy(p, sample_form(), "other", "a.png", t0()).error(),
            errc::access_denied);
  auto form = sample_form();
  form[0].value = "elsewhere/${filename}";
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::access_denied);
  form = sample_form();
  form[1].value = "image/png; x";
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::access_denied);
  form = sample_form();
  form[2].value = "x-1";
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::access_denied);
  // An eq condition on an absent field fails; starts-with "" on an absent field passes (above).
  form = sample_form();
  form.erase(form.begin() + 1);
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::access_denied);
}

TEST(PostPolicyEval, FilenameSubstitutionIsCheckedToo) {
  const auto p = sample_policy();
  auto form = sample_form();
  form[0].value = "${filename}";
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::access_denied);
  auto d = evaluate_post_policy(p, form, "bkt", "uploads/x.png", t0());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->key, "uploads/x.png");
  form[0].value = "uploads/${filename}-${filename}";
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a", t0())->key, "uploads/a-a");
}

TEST(PostPolicyEval, EveryFieldMustBeCovered) {
  const auto p = sample_policy();
  for (std::string_view name : {"acl", "x-amz-meta-other", "success_action_status", "bucket"}) {
    auto form = sample_form();
    form.push_back({name, "v"});
    const auto r = evaluate_post_policy(p, form, "bkt", "a.png", t0());
    if (name == "bucket") {
      // Covered by the bucket condition, which is checked against the URL's bucket.
      EXPECT_TRUE(r.has_value());
    } else {
      EXPECT_EQ(r.error(), errc::access_denied) << name;
    }
  }
  for (std::string_view name : {"file", "FILE", "Policy", "x-amz-signature", "X-Ignore-Me"}) {
    auto form = sample_form();
    std::erase_if(form, [&](const form_field& f) { return ascii_iequals(f.name, name); });
    form.push_back({name, "v"});
    EXPECT_TRUE(evaluate_post_policy(p, form, "bkt", "a.png", t0())) << name;
  }
}

TEST(PostPolicyEval, FormShapeErrors) {
  const auto p = sample_policy();
  auto form = sample_form();
  form.erase(form.begin());
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::invalid_argument);
  form = sample_form();
  form.push_back({"Content-Type", "image/png"});
  EXPECT_EQ(evaluate_post_policy(p, form, "bkt", "a.png", t0()).error(), errc::invalid_argument);
}

TEST(PostPolicyEval, ContentLengthBoundaries) {
  const content_length_range r{10, 500};
  EXPECT_EQ(check_content_length(r, 9).error(), errc::entity_too_small);
  EXPECT_TRUE(check_content_length(r, 10));
  EXPECT_TRUE(check_content_length(r, 500));
  EXPECT_EQ(check_content_length(r, 501).error(), errc::entity_too_large);
  const content_length_range none{};
  EXPECT_TRUE(check_content_length(none, 0));
  EXPECT_TRUE(check_content_length(none, std::numeric_limits<std::uint64_t>::max()));
  const content_length_range zero{0, 0};
  EXPECT_TRUE(check_content_length(zero, 0));
  EXPECT_EQ(check_content_length(zero, 1).error(), errc::entity_too_large);
}

}  // namespace
}  // namespace onehop::sigv4
