// The claim parsers (grammar, caps at N and N+1) and every refusal of the verifier. Correctly
// signed requests come from the signer (signer.hpp); correctness against outside oracles is in
// verify_vectors_test.cpp.

#include "sigv4/verify.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sigv4/signer.hpp"
#include "sigv4/signing_key.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {
namespace {

using std::chrono::seconds;

constexpr std::string_view good_signature =
    "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
const std::string good_header =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=" +
    std::string(good_signature);

std::chrono::sys_seconds t0() {
  return *parse_amz_date("20130524T000000Z");
}

// ---- Authorization header ----

TEST(AuthParse, AuthorizationHeaderAsClientsSendIt) {
  auto c = parse_authorization_header(good_header);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->credential.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c->credential.date, "20130524");
  EXPECT_EQ(c->credential.region, "us-east-1");
  EXPECT_EQ(c->credential.service, "s3");
  EXPECT_EQ(c->credential.scope(), "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(c->signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(c->signed_header_names,
            (std::vector<std::string>{"host", "range", "x-amz-content-sha256", "x-amz-date"}));
  EXPECT_EQ(to_hex(c->signature), good_signature);

  // Without spaces after commas, with runs of spaces and tabs, in another order.
  const std::string cred = "Credential=AK/20130524/us-east-1/s3/aws4_request";
  const std::string list = "SignedHeaders=host;x-amz-date";
  const std::string sig = "Signature=" + std::string(good_signature);
  for (const std::string& v : {
           "AWS4-HMAC-SHA256 " + cred + "," + list + "," + sig,
           "AWS4-HMAC-SHA256   " + cred + " ,\t" + list + " ,  " + sig + "  ",
           "AWS4-HMAC-SHA256\t" + sig + ", " + cred + ", " + list,
       }) {
    EXPECT_TRUE(parse_authorization_header(v)) << v;
  }
}

TEST(AuthParse, AuthorizationHeaderMalformed) {
  const std::string cred = "Credential=AK/20130524/us-east-1/s3/aws4_request";
  const std::string list = "SignedHeaders=host;x-amz-date";
  const std::string sig = "Signature=" + std::string(good_signature);
  const std::string a = "AWS4-HMAC-SHA256 ";
  const std::vector<std::string> bad = {
      "AWS4-HMAC-SHA256",
      a,
      a + list + ", " + sig,                              // no Credential
      a + cred + ", " + sig,                              // no SignedHeaders
      a + cred + ", " + list,                             // no Signature
      a + cred + ", " + cred + ", " + list + ", " + sig,  // duplicate
      a + cred + ", " + list + ", " + list + ", " + sig,
      a + cred + ", " + list + ", " + sig + ", " + sig,
      a + cred + ", " + list + ", " + sig + ",",          // empty component
      a + cred + ", " + list + ", " + sig + ", Foo=bar",  // unknown component
      a + cred + " " + list + ", " + sig,                 // missing comma
      a + "credential=AK/20130524/us-east-1/s3/aws4_request, " + list + ", " + sig,
      a + cred + ", " + list + ", Signature=" + std::string(good_signature.substr(1)),
      a + cred + ", " + list + ", Signature=" + std::string(good_signature) + "0",
      a + cred + ", " + list +
          ", Signature=FE5F80F77D5FA3BECA038A248FF027D0445342FE2855DDC963176630326F1024",
      a + cred + ", " + list +
          ", Signature=ge5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
      a + "Credential=AK/20130524/us-east-1/s3, " + list + ", " + sig,
      a + "Credential=AK/20130524/us-east-1/s3/aws4_request/x, " + list + ", " + sig,
      a + "Credential=AK/20130524/us-east-1/s3/aws4_requesu, " + list + ", " + sig,
      a + "Credential=AK/2013052/us-east-1/s3/aws4_request, " + list + ", " + sig,
      a + "Credential=AK/2013052x/us-east-1/s3/aws4_request, " + list + ", " + sig,
      a + "Credential=/20130524/us-east-1/s3/aws4_request, " + list + ", " + sig,
      a + "Credential=AK/20130524//s3/aws4_request, " + list + ", " + sig,
      a + "Credential=AK/20130524/us-east-1//aws4_request, " + list + ", " + sig,
      a + cred + ", SignedHeaders=, " + sig,
      a + cred + ", SignedHeaders=Host;x-amz-date, " + sig,
      a + cred + ", SignedHeaders=x-amz-date;host, " + sig,
      a + cred + ", SignedHeaders=host;host, " + sig,
      a + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
      a + cred + ", SignedHeaders=host;x-amz-date;, " + sig,
      a + cred + ", SignedHeaders=host;x amz, " + sig,
  };
  for (const std::string& v : bad) {
    auto r = parse_authorization_header(v);
    ASSERT_FALSE(r.has_value()) << v;
    EXPECT_EQ(r.error(), errc::authorization_header_malformed) << v;
  }
}

TEST(AuthParse, AuthorizationHeaderOtherAlgorithms) {
  for (std::string_view v : {
           "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
           "AWS4-ECDSA-P256-SHA256 Credential=AK/20130524/s3/aws4_request, "
           "SignedHeaders=host, Signature=3045",
           "aws4-hmac-sha256 Credential=AK/20130524/us-east-1/s3/aws4_request",
           "Bearer abc",
           "",
       }) {
    auto r = parse_authorization_header(v);
    ASSERT_FALSE(r.has_value()) << v;
    EXPECT_EQ(r.error(), errc::unsupported_algorithm) << v;
  }
}

TEST(AuthParse, AuthorizationHeaderByteCap) {
  parse_limits limits;
  limits.authorization_header_bytes = good_header.size();
  EXPECT_TRUE(parse_authorization_header(good_header, limits));
  limits.authorization_header_bytes = good_header.size() - 1;
  EXPECT_EQ(parse_authorization_header(good_header, limits).error(),
            errc::max_message_length_exceeded);
}

TEST(AuthParse, SignedHeadersCountCap) {
  std::string list;
  for (int i = 0; i < 65; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "h%03d", i);
    if (!list.empty()) {
      list.push_back(';');
    }
    list.append(name);
  }
  const std::string first64 = list.substr(0, list.rfind(';'));
  EXPECT_TRUE(parse_signed_headers(first64, 64));
  EXPECT_FALSE(parse_signed_headers(list, 64));
  EXPECT_TRUE(parse_signed_headers(list, 65));
}

TEST(AuthParse, CredentialShapes) {
  EXPECT_TRUE(parse_credential("AK/20130524/us-east-1/s3/aws4_request"));
  EXPECT_TRUE(parse_credential(std::string(128, 'A') + "/20130524/garage/s3/aws4_request"));
  EXPECT_FALSE(parse_credential(std::string(129, 'A') + "/20130524/garage/s3/aws4_request"));
  EXPECT_TRUE(parse_credential("AK/20130524/" + std::string(64, 'r') + "/s3/aws4_request"));
  EXPECT_FALSE(parse_credential("AK/20130524/" + std::string(65, 'r') + "/s3/aws4_request"));
  EXPECT_FALSE(parse_credential("A K/20130524/us-east-1/s3/aws4_request"));
  EXPECT_FALSE(parse_credential(""));
}

// ---- Presigned query ----

const std::string good_query =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-"
    "1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders="
    "host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

std::string replace_param(std::string query, std::string_view name, std::string_view value) {
  const std::size_t at = query.find(std::string(name) + "=");
  const std::size_t end = query.find('&', at);
  query.replace(at, (end == std::string::npos ? query.size() : end) - at,
                std::string(name) + "=" + std::string(value));
  return query;
}

std::string drop_param(std::string query, std::string_view name) {
  const std::size_t at = query.find(std::string(name) + "=");
  const std::size_t end = query.find('&', at);
  query.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
  if (!query.empty() && query.back() == '&') {
    query.pop_back();
  }
  return query;
}

TEST(AuthParse, PresignedQuery) {
  auto c = parse_presigned_query("partNumber=1&" + good_query + "&uploadId=x%2By");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->credential.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c->credential.scope(), "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(c->amz_date, "20130524T000000Z");
  EXPECT_EQ(c->date, t0());
  EXPECT_EQ(c->expires, seconds{86400});
  EXPECT_EQ(c->signed_header_names, std::vector<std::string>{"host"});
  EXPECT_FALSE(c->security_token.has_value());
  EXPECT_TRUE(has_presigned_parameters(good_query));
  EXPECT_FALSE(has_presigned_parameters("uploadId=1&partNumber=2"));
  EXPECT_FALSE(has_presigned_parameters(""));

  auto t = parse_presigned_query(good_query + "&X-Amz-Security-Token=a%2Bb%2F%3D");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->security_token, "a+b/=");
}

TEST(AuthParse, PresignedQueryErrors) {
  for (std::string_view name : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(parse_presigned_query(drop_param(good_query, name)).error(),
              errc::authorization_query_parameters_error);
    const std::size_t at = good_query.find(std::string(name) + "=");
    const std::size_t end = good_query.find('&', at);
    const std::string param = good_query.substr(at, end == std::string::npos ? end : end - at);
    EXPECT_EQ(parse_presigned_query(good_query + "&" + param).error(),
              errc::authorization_query_parameters_error);
  }
  EXPECT_EQ(
      parse_presigned_query(replace_param(good_query, "X-Amz-Algorithm", "AWS4-HMAC-SHA1")).error(),
      errc::unsupported_algorithm);

  auto expires = [&](std::string_view v) {
    return parse_presigned_query(replace_param(good_query, "X-Amz-Expires", v));
  };
  EXPECT_EQ(expires("1")->expires, seconds{1});
  EXPECT_EQ(expires("604800")->expires, seconds{604800});
  for (std::string_view v : {"0", "604801", "-1", "", "1e3", "99999999", " 1", "0x10"}) {
    EXPECT_EQ(expires(v).error(), errc::authorization_query_parameters_error) << v;
  }
  for (std::string_view v : {"20130524T000000", "20131324T000000Z", "20130230T000000Z",
                             "20130524T240000Z", "20130524 000000Z"}) {
    EXPECT_EQ(parse_presigned_query(replace_param(good_query, "X-Amz-Date", v)).error(),
              errc::authorization_query_parameters_error)
        << v;
  }
  EXPECT_EQ(parse_presigned_query(replace_param(good_query, "X-Amz-Credential", "AK%2G")).error(),
            errc::authorization_query_parameters_error);
  EXPECT_EQ(parse_presigned_query(
                replace_param(good_query, "X-Amz-Credential", "AK%2F20130524%2Fus-east-1%2Fs3"))
                .error(),
            errc::authorization_query_parameters_error);
  EXPECT_EQ(parse_presigned_query(replace_param(good_query, "X-Amz-SignedHeaders", "Host")).error(),
            errc::authorization_query_parameters_error);
  EXPECT_EQ(parse_presigned_query(replace_param(good_query, "X-Amz-Signature", "abc")).error(),
            errc::authorization_query_parameters_error);
}

TEST(AuthParse, PresignedQueryByteCap) {
  parse_limits limits;
  limits.presigned_query_bytes = good_query.size();
  EXPECT_TRUE(parse_presigned_query(good_query, limits));
  limits.presigned_query_bytes = good_query.size() - 1;
  EXPECT_EQ(parse_presigned_query(good_query, limits).error(), errc::max_message_length_exceeded);
}

// ---- POST form ----

std::vector<form_field> good_form() {
  return {
      {"key", "uploads/a.png"},
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"x-amz-credential", "AK/20130524/us-east-1/s3/aws4_request"},
      {"X-AMZ-DATE", "20130524T000000Z"},
      {"Policy", "eyJ9"},
      {"x-amz-signature", good_signature},
  };
}

TEST(AuthParse, PostForm) {
  auto c = parse_post_form(good_form());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->credential.access_key_id, "AK");
  EXPECT_EQ(c->amz_date, "20130524T000000Z");
  EXPECT_EQ(c->policy, "eyJ9");
  EXPECT_FALSE(c->security_token.has_value());
  auto with_token = good_form();
  with_token.push_back({"X-Amz-Security-Token", "tok"});
  EXPECT_EQ(parse_post_form(with_token)->security_token, "tok");
}

TEST(AuthParse, PostFormErrors) {
  const auto base = good_form();
  for (std::size_t i = 1; i < base.size(); ++i) {
    auto fields = base;
    fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_EQ(parse_post_form(fields).error(), errc::invalid_argument) << base[i].name;
    auto twice = base;
    std::string upper(base[i].name);  // the same name in another case
    for (char& ch : upper) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    twice.push_back({upper, base[i].value});
    EXPECT_EQ(parse_post_form(twice).error(), errc::invalid_argument) << base[i].name;
  }
  auto v2 = std::vector<form_field>{
      {"key", "k"}, {"AWSAccessKeyId", "AK"}, {"policy", "e30="}, {"signature", "abc="}};
  EXPECT_EQ(parse_post_form(v2).error(), errc::unsupported_algorithm);
  auto other = base;
  other[1].value = "AWS4-HMAC-SHA512";
  EXPECT_EQ(parse_post_form(other).error(), errc::unsupported_algorithm);
  auto bad_date = base;
  bad_date[3].value = "2013-05-24";
  EXPECT_EQ(parse_post_form(bad_date).error(), errc::invalid_argument);
  auto bad_sig = base;
  bad_sig[5].value = "00";
  EXPECT_EQ(parse_post_form(bad_sig).error(), errc::invalid_argument);
  auto empty_policy = base;
  empty_policy[4].value = "";
  EXPECT_EQ(parse_post_form(empty_policy).error(), errc::invalid_argument);
}

TEST(AuthParse, PostFormCaps) {
  const auto fields = good_form();
  std::size_t bytes = 0;
  for (const auto& f : fields) {
    bytes += f.name.size() + f.value.size();
  }
  parse_limits limits;
  limits.post_form_bytes = bytes;
  limits.post_form_fields = fields.size();
  EXPECT_TRUE(parse_post_form(fields, limits));
  limits.post_form_bytes = bytes - 1;
  EXPECT_EQ(parse_post_form(fields, limits).error(), errc::max_message_length_exceeded);
  limits.post_form_bytes = bytes;
  limits.post_form_fields = fields.size() - 1;
  EXPECT_EQ(parse_post_form(fields, limits).error(), errc::max_message_length_exceeded);
}

TEST(AuthParse, PayloadModes) {
  sha256_digest d{};
  EXPECT_EQ(*parse_payload_mode(empty_sha256_hex, &d), payload_mode::sha256);
  EXPECT_EQ(to_hex(d), empty_sha256_hex);
  EXPECT_EQ(*parse_payload_mode("UNSIGNED-PAYLOAD"), payload_mode::unsigned_payload);
  EXPECT_EQ(*parse_payload_mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            payload_mode::streaming_signed);
  EXPECT_EQ(*parse_payload_mode("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            payload_mode::streaming_unsigned_trailer);
  EXPECT_EQ(*parse_payload_mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
            payload_mode::streaming_signed_trailer);
  for (std::string_view v :
       {std::string_view(empty_sha256_hex).substr(1), std::string_view("unsigned-payload"),
        std::string_view(""), std::string_view("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"),
        std::string_view("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")}) {
    EXPECT_EQ(parse_payload_mode(v).error(), errc::invalid_argument) << v;
  }
}

// ---- Verification refusals, on requests signed by the signer ----

struct signed_request {
  std::string method = "PUT";
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> storage;
  std::string signature;
  sha256_digest signing_key{};

  std::vector<header_field> headers() const {
    std::vector<header_field> out;
    for (const auto& [n, v] : storage) {
      out.push_back({n, v});
    }
    return out;
  }
  void set(std::string_view name, std::string value) {
    for (auto& [n, v] : storage) {
      if (ascii_iequals(n, name)) {
        v = std::move(value);
        return;
      }
    }
    storage.emplace_back(std::string(name), std::move(value));
  }
  void erase(std::string_view name) {
    std::erase_if(storage, [&](const auto& p) { return ascii_iequals(p.first, name); });
  }
};

signer_config config(std::string token = "") {
  signer_config c;
  c.creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token)};
  c.endpoint = *parse_endpoint("http://127.0.0.1:9000");
  c.region = "us-east-1";
  return c;
}

signed_request sign_put(std::string_view payload = empty_sha256_hex, std::string token = "",
                        bool send_content_sha256 = true,
                        std::chrono::sys_seconds now = *parse_amz_date("20130524T000000Z")) {
  presigner p(config(std::move(token)));
  const header_field extra[] = {{"Content-Type", "image/png"}};
  sign_request req;
  req.method = "PUT";
  req.bucket = "bucket";
  req.key = "photos/a b.png";
  req.headers = extra;
  req.payload_hash = payload;
  req.send_content_sha256 = send_content_sha256;
  header_auth out;
  EXPECT_TRUE(p.sign(out, req, now));
  signed_request r;
  const std::size_t q = out.target.find('?');
  r.path = out.target.substr(0, q);
  r.query = q == std::string::npos ? "" : out.target.substr(q + 1);
  r.storage = {{"Host", out.host}, {"X-Amz-Date", out.amz_date}, {"Content-Type", "image/png"}};
  if (!out.content_sha256.empty()) {
    r.storage.emplace_back("X-Amz-Content-Sha256", out.content_sha256);
  }
  if (!out.security_token.empty()) {
    r.storage.emplace_back("X-Amz-Security-Token", out.security_token);
  }
  r.storage.emplace_back("User-Agent", "test");  // unsigned, as clients send it
  r.storage.emplace_back("Authorization", out.authorization);
  r.signature = out.signature;
  r.signing_key = out.signing_key;
  return r;
}

credentials_lookup lookup(std::string token = "") {
  return [token = std::move(token)](std::string_view id) -> result<credentials_view> {
    if (id != "AKIDEXAMPLE") {
      return errc::invalid_access_key_id;
    }
    return credentials_view{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token};
  };
}

result<verified_request> run(const signed_request& r, verifier_options options = {},
                             credentials_lookup l = lookup(), std::chrono::sys_seconds now = t0(),
                             signature_mismatch_details* details = nullptr) {
  verifier v(std::move(options), std::move(l));
  const auto headers = r.headers();
  return v.verify({r.method, r.path, r.query, headers, {}}, now, details);
}

TEST(Verify, HeaderAuthEveryPayloadMode) {
  const std::pair<std::string_view, payload_mode> modes[] = {
      {empty_sha256_hex, payload_mode::sha256},
      {"UNSIGNED-PAYLOAD", payload_mode::unsigned_payload},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", payload_mode::streaming_signed},
      {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", payload_mode::streaming_unsigned_trailer},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", payload_mode::streaming_signed_trailer},
  };
  for (const auto& [value, mode] : modes) {
    SCOPED_TRACE(value);
    const signed_request r = sign_put(value);
    auto v = run(r);
    ASSERT_TRUE(v.has_value()) << v.error().message();
    EXPECT_EQ(v->kind, auth_kind::header);
    EXPECT_EQ(v->payload, mode);
    EXPECT_EQ(v->seed_signature, r.signature);
    EXPECT_EQ(v->access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ(v->amz_date, "20130524T000000Z");
    EXPECT_EQ(v->request_time, t0());
    EXPECT_EQ(v->scope, "20130524/us-east-1/s3/aws4_request");
    EXPECT_FALSE(v->expires_at.has_value());
    // The key handed to the chunk decoder is the day's signing key.
    EXPECT_EQ(v->signing_key.sign("chunk"), hmac_sha256_key(r.signing_key).sign("chunk"));
    if (mode == payload_mode::sha256) {
      EXPECT_EQ(to_hex(v->payload_sha256), empty_sha256_hex);
    }
  }
}

TEST(Verify, HeaderAuthContentSha256Rules) {
  signed_request r = sign_put(empty_sha256_hex, "", /*send_content_sha256=*/false);
  EXPECT_EQ(run(r).error(), errc::missing_security_header);
  r = sign_put();
  r.set("x-amz-content-sha256", "not-a-hash");
  EXPECT_EQ(run(r).error(), errc::invalid_argument);
  r = sign_put();
  r.storage.emplace_back("X-Amz-Content-SHA256", std::string(empty_sha256_hex));
  EXPECT_EQ(run(r).error(), errc::invalid_argument);
  // A different (well-formed) hash than the one signed.
  r = sign_put();
  r.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  EXPECT_EQ(run(r).error(), errc::signature_does_not_match);
}

TEST(Verify, HeaderAuthDateAndScope) {
  signed_request r = sign_put();
  r.erase("x-amz-date");
  EXPECT_EQ(run(r).error(), errc::access_denied);
  r = sign_put();
  r.set("x-amz-date", "2013-05-24T00:00:00Z");
  EXPECT_EQ(run(r).error(), errc::access_denied);

  // Scope date must equal the X-Amz-Date's date: a request signed one second before midnight,
  // presented with the next day's date.
  const auto late = *parse_amz_date("20130523T235959Z");
  r = sign_put(empty_sha256_hex, "", true, late);
  r.set("x-amz-date", "20130524T000000Z");
  EXPECT_EQ(run(r).error(), errc::authorization_header_malformed);

  verifier_options eu;
  eu.region = "eu-west-1";
  EXPECT_EQ(run(sign_put(), eu).error(), errc::authorization_header_malformed);
  verifier_options other_service;
  other_service.service = "execute-api";
  EXPECT_EQ(run(sign_put(), other_service).error(), errc::authorization_header_malformed);
}

TEST(Verify, HeaderAuthSkewBoundaries) {
  const signed_request r = sign_put();
  EXPECT_TRUE(run(r, {}, lookup(), t0() + seconds{900}));
  EXPECT_TRUE(run(r, {}, lookup(), t0() - seconds{900}));
  EXPECT_EQ(run(r, {}, lookup(), t0() + seconds{901}).error(), errc::request_time_too_skewed);
  EXPECT_EQ(run(r, {}, lookup(), t0() - seconds{901}).error(), errc::request_time_too_skewed);
  verifier_options tight;
  tight.max_clock_skew = seconds{60};
  EXPECT_TRUE(run(r, tight, lookup(), t0() + seconds{60}));
  EXPECT_EQ(run(r, tight, lookup(), t0() + seconds{61}).error(), errc::request_time_too_skewed);
}

TEST(Verify, HeaderAuthSignedHeaderRules) {
  // host must be signed.
  signed_request r = sign_put();
  for (auto& [n, v] : r.storage) {
    if (n == "Authorization") {
      v.replace(v.find("host;"), 5, "");
    }
  }
  EXPECT_EQ(run(r).error(), errc::access_denied);
  // Every signed header must be present.
  r = sign_put();
  r.erase("content-type");
  EXPECT_EQ(run(r).error(), errc::access_denied);
  // Unsigned x-amz-* headers are refused (an uploader could add x-amz-acl), unless allowed.
  r = sign_put();
  r.storage.emplace_back("x-amz-acl", "public-read");
  EXPECT_EQ(run(r).error(), errc::access_denied);
  verifier_options lenient;
  lenient.require_signed_amz_headers = false;
  EXPECT_TRUE(run(r, lenient));
  // Unsigned ordinary headers do not matter.
  r = sign_put();
  r.storage.emplace_back("Accept-Encoding", "gzip");
  EXPECT_TRUE(run(r));
  // A signed header's value changed.
  r = sign_put();
  r.set("content-type", "text/html");
  EXPECT_EQ(run(r).error(), errc::signature_does_not_match);
}

TEST(Verify, HeaderAuthKeysAndTokens) {
  EXPECT_EQ(
      run(sign_put(), {},
          [](std::string_view) -> result<credentials_view> { return errc::invalid_access_key_id; })
          .error(),
      errc::invalid_access_key_id);
  const signed_request with_token = sign_put(empty_sha256_hex, "session-token");
  EXPECT_TRUE(run(with_token, {}, lookup("session-token")));
  EXPECT_EQ(run(with_token, {}, lookup("other-token")).error(), errc::access_denied);
  EXPECT_EQ(run(with_token, {}, lookup("")).error(), errc::access_denied);
  EXPECT_EQ(run(sign_put(), {}, lookup("session-token")).error(), errc::access_denied);
  // A token sent but not signed.
  signed_request unsigned_token = sign_put();
  unsigned_token.storage.emplace_back("X-Amz-Security-Token", "session-token");
  verifier_options lenient;
  lenient.require_signed_amz_headers = false;
  EXPECT_EQ(run(unsigned_token, lenient, lookup("session-token")).error(), errc::access_denied);
}

TEST(Verify, SchemeSelection) {
  signed_request r = sign_put();
  r.storage.emplace_back("Authorization", r.storage.back().second);
  EXPECT_EQ(run(r).error(), errc::authorization_header_malformed);
  r = sign_put();
  r.query = good_query;
  EXPECT_EQ(run(r).error(), errc::invalid_argument);
  r = sign_put();
  r.erase("authorization");
  EXPECT_EQ(run(r).error(), errc::missing_authentication);
  r = sign_put();
  r.set("authorization", "AWS AKIDEXAMPLE:abc=");
  EXPECT_EQ(run(r).error(), errc::unsupported_algorithm);
}

TEST(Verify, MismatchCarriesWhatWeComputed) {
  signed_request r = sign_put();
  presigner p(config());
  const header_field extra[] = {{"Content-Type", "image/png"}};
  sign_request req;
  req.method = "PUT";
  req.bucket = "bucket";
  req.key = "photos/a b.png";
  req.headers = extra;
  header_auth out;
  ASSERT_TRUE(p.sign(out, req, t0()));
  const std::string canonical(p.canonical_request());
  const std::string sts(p.string_to_sign());

  r.method = "POST";
  signature_mismatch_details details;
  EXPECT_EQ(run(r, {}, lookup(), t0(), &details).error(), errc::signature_does_not_match);
  std::string expected = canonical;
  expected.replace(0, 3, "POST");
  EXPECT_EQ(details.canonical_request, expected);
  EXPECT_EQ(details.access_key_id, "AKIDEXAMPLE");
  EXPECT_TRUE(details.string_to_sign.starts_with("AWS4-HMAC-SHA256\n20130524T000000Z\n"));
  EXPECT_NE(details.string_to_sign, sts);
}

// ---- Presigned refusals ----

struct presigned {
  std::string path;
  std::string query;
  std::string host;
};

presigned presign_get(seconds expires, std::string token = "") {
  presigner p(config(std::move(token)));
  presign_request req;
  req.method = "GET";
  req.bucket = "bucket";
  req.key = "k";
  req.expires = expires;
  std::string url;
  EXPECT_TRUE(p.presign(url, req, t0()));
  presigned out;
  const std::size_t path_at = url.find('/', url.find("://") + 3);
  const std::size_t q = url.find('?');
  out.host = url.substr(url.find("://") + 3, path_at - url.find("://") - 3);
  out.path = url.substr(path_at, q - path_at);
  out.query = url.substr(q + 1);
  return out;
}

result<verified_request> run_presigned(const presigned& p, std::chrono::sys_seconds now,
                                       credentials_lookup l = lookup(),
                                       std::vector<header_field> extra = {}) {
  verifier v({}, std::move(l));
  std::vector<header_field> headers{{"Host", p.host}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return v.verify({"GET", p.path, p.query, headers, {}}, now);
}

TEST(Verify, PresignedTimeBoundaries) {
  const presigned p = presign_get(seconds{3600});
  EXPECT_TRUE(run_presigned(p, t0()));
  EXPECT_TRUE(run_presigned(p, t0() + seconds{3600}));
  EXPECT_EQ(run_presigned(p, t0() + seconds{3601}).error(), errc::request_expired);
  EXPECT_TRUE(run_presigned(p, t0() - seconds{900}));
  EXPECT_EQ(run_presigned(p, t0() - seconds{901}).error(), errc::request_not_yet_valid);
  const presigned shortest = presign_get(seconds{1});
  EXPECT_TRUE(run_presigned(shortest, t0() + seconds{1}));
  EXPECT_EQ(run_presigned(shortest, t0() + seconds{2}).error(), errc::request_expired);
  const presigned longest = presign_get(seconds{604800});
  EXPECT_TRUE(run_presigned(longest, t0() + seconds{604800}));
  EXPECT_EQ(run_presigned(longest, t0() + seconds{604801}).error(), errc::request_expired);
}

TEST(Verify, PresignedScopeTokenAndHeaders) {
  const presigned p = presign_get(seconds{60});
  verifier eu(
      [] {
        verifier_options o;
        o.region = "eu-west-1";
        return o;
      }(),
      lookup());
  const std::vector<header_field> host{{"Host", p.host}};
  EXPECT_EQ(eu.verify({"GET", p.path, p.query, host, {}}, t0()).error(),
            errc::authorization_query_parameters_error);

  const presigned with_token = presign_get(seconds{60}, "tok+en/=");
  auto ok = run_presigned(with_token, t0(), lookup("tok+en/="));
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(run_presigned(with_token, t0(), lookup("other")).error(), errc::access_denied);
  EXPECT_EQ(run_presigned(p, t0(), lookup("tok+en/=")).error(), errc::access_denied);

  // An uploader adding an unsigned x-amz-* header.
  EXPECT_EQ(run_presigned(p, t0(), lookup(), {{"x-amz-acl", "public-read"}}).error(),
            errc::access_denied);
  // A wrong Host.
  verifier v({}, lookup());
  const std::vector<header_field> other_host{{"Host", "evil.test"}};
  EXPECT_EQ(v.verify({"GET", p.path, p.query, other_host, {}}, t0()).error(),
            errc::signature_does_not_match);
  const std::vector<header_field> no_host{};
  EXPECT_EQ(v.verify({"GET", p.path, p.query, no_host, {}}, t0()).error(), errc::access_denied);
}

}  // namespace
}  // namespace onehop::sigv4
