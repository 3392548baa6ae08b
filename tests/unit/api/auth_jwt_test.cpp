// The pure parts of JWT checking: structure, header and claims, without keys or signatures.

#include "api/auth_jwt.hpp"

#include <gtest/gtest.h>

#include "api/auth_base64url.hpp"
#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

const sys_seconds t0{seconds{1'700'000'000}};

std::string b64(std::string_view s) {
  return base64url_encode(s);
}

std::string message_of(const api_error& e) {
  return e.message;
}

template <class T>
std::string error_of(const result<T>& r) {
  EXPECT_FALSE(r.has_value());
  if (r.has_value()) {
    return "(no error)";
  }
  EXPECT_EQ(r.error().code, errc::unauthorized);
  return message_of(r.error());
}

TEST(SplitJwt, SplitsThreeParts) {
  const auto p = split_jwt("aGVhZA.Ym9keQ.c2ln");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header, "aGVhZA");
  EXPECT_EQ(p->payload, "Ym9keQ");
  EXPECT_EQ(p->signature, "c2ln");
  EXPECT_EQ(p->signing_input, "aGVhZA.Ym9keQ");
}

TEST(SplitJwt, RefusesOtherShapes) {
  EXPECT_EQ(error_of(split_jwt("abc")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("a.b")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("aGVhZA.Ym9keQ.c2ln.c2ln")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("...")), "malformed token");
  EXPECT_EQ(error_of(split_jwt(".Ym9keQ.c2ln")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("aGVhZA..c2ln")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("aGVhZA.Ym9keQ.")), "algorithm none refused");
  EXPECT_EQ(error_of(split_jwt("aGVhZA.Ym9keQ.c2ln=")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("aGVhZA.Ym9k+Q.c2ln")), "malformed token");
  EXPECT_EQ(error_of(split_jwt("aGVhZA.Ym9keQ.c2l")), "malformed token");  // non-canonical
  EXPECT_TRUE(split_jwt("aGVhZA.Ym9keQ.c2k"));
  EXPECT_EQ(error_of(split_jwt(" aGVhZA.Ym9keQ.c2ln")), "malformed token");
}

TEST(JoseHeader, ReadsAlgAndKid) {
  auto h = parse_jose_header(b64(R"({"alg":"RS256","kid":"k1","typ":"JWT"})"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->alg, jwt_alg::rs256);
  EXPECT_EQ(h->kid, "k1");
  h = parse_jose_header(b64(R"({"alg":"ES256","typ":"jwt"})"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->alg, jwt_alg::es256);
  EXPECT_FALSE(h->kid);
  h = parse_jose_header(b64(R"({"alg":"HS256"})"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->alg, jwt_alg::hs256);
}

TEST(JoseHeader, RefusesNoneInAnyCase) {
  for (const auto* alg : {"none", "None", "NONE", "nOnE"}) {
    EXPECT_EQ(error_of(parse_jose_header(b64(std::string(R"({"alg":")") + alg + "\"}"))),
              "algorithm none refused")
        << alg;
  }
}

TEST(JoseHeader, RefusesOtherAlgorithmsAndShapes) {
  for (const auto* h : {R"({"alg":"HS384"})", R"({"alg":"RS512"})", R"({"alg":"PS256"})",
                        R"({"alg":"EdDSA"})", R"({"alg":"hs256"})", R"({"alg":"ES256K"})"}) {
    EXPECT_EQ(error_of(parse_jose_header(b64(h))), "token algorithm not supported") << h;
  }
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"typ":"JWT"})"))), "malformed token header");
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"alg":256})"))), "malformed token header");
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"alg":"HS256","kid":7})"))),
            "malformed token header");
  EXPECT_EQ(error_of(parse_jose_header(b64(concat(
                {R"({"alg":"HS256","kid":")", std::string(max_kid_bytes + 1, 'k'), "\"}"})))),
            "malformed token header");
  EXPECT_TRUE(parse_jose_header(
      b64(concat({R"({"alg":"HS256","kid":")", std::string(max_kid_bytes, 'k'), "\"}"}))));
  EXPECT_EQ(error_of(parse_jose_header(b64(R"(["alg","HS256"])"))), "malformed token header");
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"alg":"HS256")"))), "malformed token header");
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"alg":"HS256","crit":["exp"]})"))),
            "token uses unsupported critical header parameters");
  EXPECT_EQ(error_of(parse_jose_header(b64(R"({"alg":"HS256","typ":"at+jwt"})"))),
            "token type not supported");
  EXPECT_EQ(error_of(parse_jose_header("!!")), "malformed token");
}

jwt_claims claims_of(std::string_view json) {
  auto c = parse_jwt_claims(b64(json));
  EXPECT_TRUE(c) << json;
  return c ? *c : jwt_claims{};
}

TEST(JwtClaims, ReadsRegisteredClaims) {
  const auto c = claims_of(
      R"({"sub":"alice","exp":1700000100,"nbf":1699999900.5,"iss":"https://id","aud":["a","b"]})");
  EXPECT_EQ(c.sub, "alice");
  EXPECT_EQ(c.exp, 1700000100);
  EXPECT_EQ(c.nbf, 1699999900);
  EXPECT_EQ(c.iss, "https://id");
  EXPECT_EQ(c.aud, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(claims_of(R"({"aud":"a"})").aud, std::vector<std::string>{"a"});
}

TEST(JwtClaims, MarksMalformedDates) {
  EXPECT_TRUE(claims_of(R"({"exp":"1700000000"})").exp_malformed);
  EXPECT_TRUE(claims_of(R"({"exp":-1})").exp_malformed);
  EXPECT_TRUE(claims_of(R"({"exp":1e300})").exp_malformed);
  EXPECT_TRUE(claims_of(R"({"exp":18446744073709551615})").exp_malformed);
  EXPECT_TRUE(claims_of(R"({"exp":253402300800})").exp_malformed);
  EXPECT_FALSE(claims_of(R"({"exp":253402300799})").exp_malformed);
  EXPECT_TRUE(claims_of(R"({"nbf":null})").nbf_malformed);
  EXPECT_EQ(error_of(parse_jwt_claims(b64("[1]"))), "malformed token payload");
}

claim_rules rules(std::string_view iss = "", std::string_view aud = "",
                  seconds leeway = seconds{0}) {
  return claim_rules{iss, aud, leeway};
}

TEST(CheckClaims, AcceptsValidClaims) {
  const auto r = check_claims(claims_of(R"({"sub":"alice","exp":1700000100})"), rules(), t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "alice");
  EXPECT_EQ(r->expires, t0 + seconds{100});
  EXPECT_EQ(r->not_before, sys_seconds::min());
}

TEST(CheckClaims, ExpiryWithLeewayAtNAndNPlusOne) {
  const auto c = claims_of(R"({"sub":"alice","exp":1700000000})");
  EXPECT_EQ(error_of(check_claims(c, rules(), t0)), "token expired");
  EXPECT_TRUE(check_claims(c, rules(), t0 - seconds{1}));
  EXPECT_TRUE(check_claims(c, rules("", "", seconds{30}), t0 + seconds{29}));
  EXPECT_EQ(error_of(check_claims(c, rules("", "", seconds{30}), t0 + seconds{30})),
            "token expired");
}

TEST(CheckClaims, NotBeforeWithLeeway) {
  const auto c = claims_of(R"({"sub":"alice","exp":1800000000,"nbf":1700000010})");
  EXPECT_EQ(error_of(check_claims(c, rules(), t0 + seconds{9})), "token not yet valid");
  const auto ok = check_claims(c, rules(), t0 + seconds{10});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->not_before, t0 + seconds{10});
  EXPECT_TRUE(check_claims(c, rules("", "", seconds{10}), t0));
  EXPECT_EQ(error_of(check_claims(c, rules("", "", seconds{9}), t0)), "token not yet valid");
}

TEST(CheckClaims, RequiresExpiryAndSubject) {
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"sub":"alice"})"), rules(), t0)),
            "token has no expiry");
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"sub":"a","exp":"x"})"), rules(), t0)),
            "token expiry is not a valid date");
  EXPECT_EQ(
      error_of(check_claims(claims_of(R"({"sub":"a","exp":1800000000,"nbf":"x"})"), rules(), t0)),
      "token not-before is not a valid date");
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"exp":1800000000})"), rules(), t0)),
            "token has no subject");
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"sub":"","exp":1800000000})"), rules(), t0)),
            "token has no subject");
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"sub":42,"exp":1800000000})"), rules(), t0)),
            "token subject is not a valid user name");
  EXPECT_EQ(error_of(check_claims(claims_of(R"({"sub":"a\nb","exp":1800000000})"), rules(), t0)),
            "token subject is not a valid user name");
}

TEST(CheckClaims, IssuerAndAudience) {
  const auto c = claims_of(R"({"sub":"a","exp":1800000000,"iss":"https://id","aud":["x","api"]})");
  EXPECT_TRUE(check_claims(c, rules("https://id", "api"), t0));
  EXPECT_EQ(error_of(check_claims(c, rules("https://other"), t0)), "token issuer does not match");
  EXPECT_EQ(error_of(check_claims(c, rules("", "web"), t0)), "token audience does not match");
  const auto str_aud = claims_of(R"({"sub":"a","exp":1800000000,"aud":"api"})");
  EXPECT_TRUE(check_claims(str_aud, rules("", "api"), t0));
  EXPECT_EQ(error_of(check_claims(str_aud, rules("", "ap"), t0)), "token audience does not match");
  EXPECT_EQ(error_of(check_claims(str_aud, rules("https://id"), t0)),
            "token issuer does not match");
  const auto bad_types = claims_of(R"({"sub":"a","exp":1800000000,"iss":1,"aud":{"api":1}})");
  EXPECT_EQ(error_of(check_claims(bad_types, rules("1"), t0)), "token issuer does not match");
  EXPECT_EQ(error_of(check_claims(bad_types, rules("", "api"), t0)),
            "token audience does not match");
  // Unchecked when not configured.
  EXPECT_TRUE(check_claims(bad_types, rules(), t0));
}

}  // namespace
}  // namespace onehop::api
