// verify(sign(x)) with the signer helper's signer, over keys, operations, headers, tokens and
// addressing styles. Shared canonicalization means this cannot catch a bug both sides share
// (verify_vectors_test.cpp does, against botocore and AWS); it catches the two sides drifting
// apart, and that every accepted request is refused once a byte changes.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sigv4/post_policy.hpp"
#include "sigv4/signer.hpp"
#include "sigv4/time.hpp"
#include "sigv4/verify.hpp"

namespace onehop::sigv4 {
namespace {

using std::chrono::seconds;

std::chrono::sys_seconds t0() {
  return *parse_amz_date("20240229T235959Z");
}

const char* const keys[] = {
    "a.txt",
    "photos/2024/cat 1.jpg",
    "unicode/\u00fcber \u65e5\u672c.txt",
    "reserved/a+b=c&d?e#f%g~h",
    "dots/../and/./slashes//x",
    "/leading",
    "trailing/",
    " ",
};

struct op {
  const char* method;
  std::vector<query_param> query;
};

const op ops[] = {
    {"GET", {}},
    {"PUT", {}},
    {"HEAD", {}},
    {"DELETE", {}},
    {"PUT", {{"partNumber", "3"}, {"uploadId", "abc/DEF+ghi="}}},
    {"POST", {{"uploads", ""}}},
    {"GET", {{"response-content-disposition", "attachment; filename=\"a b.txt\""}}},
};

signer_config make_config(addressing_style style, std::string token) {
  signer_config c;
  c.creds = {"AKIAROUNDTRIP", "round/trip+secret", std::move(token)};
  c.endpoint = *parse_endpoint("http://s3.local.test:9000");
  c.region = "eu-central-1";
  c.style = style;
  return c;
}

credentials_lookup lookup_for(const signer_config& c) {
  return [c](std::string_view id) -> result<credentials_view> {
    if (id != c.creds.access_key_id) {
      return errc::invalid_access_key_id;
    }
    return credentials_view{c.creds.access_key_id, c.creds.secret_access_key,
                            c.creds.session_token};
  };
}

verifier make_verifier(const signer_config& c) {
  verifier_options o;
  o.region = c.region;
  return verifier(o, lookup_for(c));
}

// A different byte that is not an equivalent spelling (hex case is kept: %A5 never becomes %a5).
char other_byte(char c) {
  if ((c >= 'a' && c < 'z') || (c >= 'A' && c < 'Z') || (c >= '0' && c < '9')) {
    return static_cast<char>(c + 1);
  }
  if (c == 'z' || c == 'Z' || c == '9') {
    return static_cast<char>(c - 1);
  }
  return c == '_' ? '-' : '_';
}

struct url_parts {
  std::string host;
  std::string path;
  std::string query;
};

url_parts split_url(const std::string& url) {
  const std::size_t authority = url.find("://") + 3;
  const std::size_t path = url.find('/', authority);
  const std::size_t q = url.find('?', path);
  return {url.substr(authority, path - authority), url.substr(path, q - path),
          q == std::string::npos ? "" : url.substr(q + 1)};
}

TEST(RoundTrip, PresignedUrlsVerify) {
  const header_field signed_headers[] = {{"Content-Type", "image/png"},
                                         {"x-amz-meta-owner", "alice"}};
  int checked = 0;
  for (addressing_style style : {addressing_style::path, addressing_style::virtual_hosted}) {
    for (const std::string token : {"", "FwoG+token/=="}) {
      const signer_config config = make_config(style, token);
      presigner p(config);
      verifier v = make_verifier(config);
      for (const char* key : keys) {
        for (const op& o : ops) {
          SCOPED_TRACE(std::string(o.method) + " " + key);
          presign_request req;
          req.method = o.method;
          req.bucket = "round-trip";
          req.key = key;
          req.query = o.query;
          req.headers = signed_headers;
          req.expires = seconds{900};
          std::string url;
          ASSERT_TRUE(p.presign(url, req, t0()));
          const url_parts u = split_url(url);
          const std::vector<header_field> headers = {
              {"Host", u.host}, {"Content-Type", "image/png"}, {"X-Amz-Meta-Owner", "alice"}};
          auto r = v.verify({o.method, u.path, u.query, headers, {}}, t0() + seconds{30});
          ASSERT_TRUE(r.has_value()) << r.error().message() << "\n" << url;
          EXPECT_EQ(r->kind, auth_kind::presigned);
          EXPECT_EQ(r->seed_signature, p.signature());
          ++checked;

          // One byte of the path or of the query changed: refused.
          for (const bool in_path : {true, false}) {
            const std::string& part = in_path ? u.path : u.query;
            for (std::size_t i = 0; i < part.size(); i += 13) {
              std::string tampered = part;
              tampered[i] = other_byte(tampered[i]);
              auto t = v.verify({o.method,
                                 in_path ? tampered : u.path,
                                 in_path ? u.query : tampered,
                                 headers,
                                 {}},
                                t0());
              EXPECT_FALSE(t.has_value()) << tampered;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 2 * 8 * 7);
}

TEST(RoundTrip, HeaderSignedRequestsVerify) {
  const char* const payloads[] = {
      "UNSIGNED-PAYLOAD",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  };
  for (const std::string token : {"", "session"}) {
    const signer_config config = make_config(addressing_style::path, token);
    presigner p(config);
    verifier v = make_verifier(config);
    for (const char* key : keys) {
      for (const op& o : ops) {
        for (const char* payload : payloads) {
          SCOPED_TRACE(std::string(o.method) + " " + key + " " + payload);
          const header_field extra[] = {{"Content-Length", "0"}, {"X-Amz-Meta-Note", "a  b"}};
          sign_request req;
          req.method = o.method;
          req.bucket = "round-trip";
          req.key = key;
          req.query = o.query;
          req.headers = extra;
          req.payload_hash = payload;
          header_auth out;
          ASSERT_TRUE(p.sign(out, req, t0()));
          const std::size_t q = out.target.find('?');
          const std::string path = out.target.substr(0, q);
          const std::string query = q == std::string::npos ? "" : out.target.substr(q + 1);
          std::vector<header_field> headers = {{"Host", out.host},
                                               {"X-Amz-Date", out.amz_date},
                                               {"X-Amz-Content-Sha256", out.content_sha256},
                                               {"Content-Length", "0"},
                                               {"X-Amz-Meta-Note", "a  b"},
                                               {"Authorization", out.authorization}};
          if (!out.security_token.empty()) {
            headers.push_back({"X-Amz-Security-Token", out.security_token});
          }
          auto r = v.verify({o.method, path, query, headers, {}}, t0());
          ASSERT_TRUE(r.has_value()) << r.error().message() << "\n" << out.target;
          EXPECT_EQ(r->seed_signature, out.signature);
          EXPECT_EQ(r->scope, out.scope);
          EXPECT_EQ(r->signing_key.sign("x"), hmac_sha256_key(out.signing_key).sign("x"));

          headers[4].value = "a b c";
          EXPECT_EQ(v.verify({o.method, path, query, headers, {}}, t0()).error(),
                    errc::signature_does_not_match);
        }
      }
    }
  }
}

TEST(RoundTrip, PresignedPostVerifies) {
  for (const std::string token : {"", "post-token"}) {
    const signer_config config = make_config(addressing_style::path, token);
    verifier v = make_verifier(config);
    const form_field extra[] = {{"Content-Type", "image/jpeg"}, {"x-amz-meta-user", "42"}};
    const policy_condition conditions[] = {
        content_length_range{1, 1 << 20},
        field_condition{condition_op::starts_with, "Content-Type", "image/", false},
        field_condition{condition_op::eq, "x-amz-meta-user", "42", true}};
    post_form_request req;
    req.bucket = "round-trip";
    req.key = "users/42/${filename}";
    req.region = config.region;
    req.credentials = {config.creds.access_key_id, config.creds.secret_access_key,
                       config.creds.session_token};
    req.now = t0();
    req.expires = seconds{300};
    req.fields = extra;
    req.conditions = conditions;
    auto post = presign_post(req);
    ASSERT_TRUE(post.has_value());
    std::vector<form_field> form;
    for (const auto& f : post->fields) {
      form.push_back({f.name, f.value});
    }
    auto r = v.verify_post(form, "round-trip", "me.jpg", t0() + seconds{299});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->decision.key, "users/42/me.jpg");
    EXPECT_EQ(r->decision.length_range.max, 1u << 20);
    EXPECT_EQ(v.verify_post(form, "round-trip", "me.jpg", t0() + seconds{300}).error(),
              errc::request_expired);

    // A signature that does not cover the policy sent.
    signature_mismatch_details details;
    std::string other_policy = post->policy_base64;
    other_policy[10] = other_policy[10] == 'A' ? 'B' : 'A';
    for (auto& f : form) {
      if (f.name == "policy") {
        f.value = other_policy;
      }
    }
    EXPECT_EQ(v.verify_post(form, "round-trip", "me.jpg", t0(), &details).error(),
              errc::signature_does_not_match);
    EXPECT_EQ(details.string_to_sign, other_policy);
  }
}

}  // namespace
}  // namespace onehop::sigv4
