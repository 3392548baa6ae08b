// JWKS to PEM. The oracle is OpenSSL itself: a key generated here, written out by OpenSSL as a
// public PEM, must equal what parse_jwks rebuilds from the key's JWK members.

#include "api/jwks.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "api/auth_base64url.hpp"
#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string out(
      pad > 0 ? static_cast<std::size_t>(pad) : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return base64url_encode(out);
}

std::string rsa_members(EVP_PKEY* key) {
  return R"("kty":"RSA","n":")" + bn_param(key, OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" +
         bn_param(key, OSSL_PKEY_PARAM_RSA_E) + "\"";
}

std::string ec_members(EVP_PKEY* key) {
  return R"("kty":"EC","crv":"P-256","x":")" + bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32) +
         R"(","y":")" + bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32) + "\"";
}

std::string error_of(const result<std::vector<jwk>>& r) {
  EXPECT_FALSE(r);
  if (r) {
    return "(no error)";
  }
  EXPECT_EQ(r.error().code, errc::invalid_request);
  return r.error().message;
}

class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
    ec_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    ASSERT_TRUE(rsa_ && ec_);
  }
  static void TearDownTestSuite() {
    rsa_.reset();
    ec_.reset();
  }
  static inline pkey_ptr rsa_, ec_;
};

TEST_F(JwksTest, RebuildsRsaAndEcKeysAsOpenSslWritesThem) {
  const auto set =
      parse_jwks(R"({"keys":[{"kid":"r",)" + rsa_members(rsa_.get()) +
                 R"(,"use":"sig","alg":"RS256"},{"kid":"e",)" + ec_members(ec_.get()) + "}]}");
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ((*set)[0].kid, "r");
  EXPECT_EQ((*set)[0].type, jwk_type::rsa);
  EXPECT_EQ((*set)[0].pem, public_pem(rsa_.get()));
  EXPECT_EQ((*set)[1].kid, "e");
  EXPECT_EQ((*set)[1].type, jwk_type::ec_p256);
  EXPECT_EQ((*set)[1].pem, public_pem(ec_.get()));
}

TEST_F(JwksTest, KeyWithoutKid) {
  const auto set = parse_jwks(R"({"keys":[{)" + ec_members(ec_.get()) + "}]}");
  ASSERT_TRUE(set);
  EXPECT_FALSE((*set)[0].kid);
}

TEST_F(JwksTest, SkipsKeysForOtherUses) {
  const auto set =
      parse_jwks(R"({"keys":[{"kid":"enc","use":"enc",)" + rsa_members(rsa_.get()) +
                 R"(},{"kid":"rs512","alg":"RS512",)" + rsa_members(rsa_.get()) +
                 R"(},{"kid":"okp","kty":"OKP","crv":"Ed25519","x":"AAAA"},)" +
                 R"({"kid":"p384","kty":"EC","crv":"P-384","x":"AAAA","y":"AAAA"},{"kid":"ok",)" +
                 ec_members(ec_.get()) + "}]}");
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), 1u);
  EXPECT_EQ((*set)[0].kid, "ok");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"use":"enc",)" + rsa_members(rsa_.get()) + "}]}")),
            "JWKS has no usable RS256 (RSA) or ES256 (P-256) key");
}

TEST_F(JwksTest, RefusesMalformedSets) {
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[]})")),
            "JWKS has no usable RS256 (RSA) or ES256 (P-256) key");
  EXPECT_EQ(error_of(parse_jwks(R"([])")), "JWKS is not an object with a \"keys\" array");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":{}})")), "JWKS is not an object with a \"keys\" array");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[1]})")), "JWKS key 0 is not an object");
  EXPECT_NE(error_of(parse_jwks(R"({"keys":[)")).find("JWKS is not valid JSON"), std::string::npos);
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"n":"AQAB"}]})")),
            "JWKS key 0: \"kty\" is missing or not a string");
  EXPECT_EQ(error_of(parse_jwks(std::string(max_jwks_bytes + 1, ' '))),
            "JWKS larger than 1048576 bytes");
  std::string many = R"({"keys":[)";
  for (std::size_t i = 0; i <= max_jwks_keys; ++i) {
    many += i ? R"(,{"kty":"oct"})" : R"({"kty":"oct"})";
  }
  EXPECT_EQ(error_of(parse_jwks(many + "]}")), "JWKS has more than 64 keys");
}

TEST_F(JwksTest, RefusesPrivateKeyMaterial) {
  EXPECT_EQ(
      error_of(parse_jwks(R"({"keys":[{"kid":"x","d":"AQAB",)" + ec_members(ec_.get()) + "}]}")),
      "JWKS key 0 (kid \"x\"): holds private or secret key material (\"d\"); publish only public "
      "keys");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})")),
            "JWKS key 0: holds private or secret key material (\"k\"); publish only public keys");
}

TEST_F(JwksTest, RefusesDuplicateKids) {
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kid":"a",)" + rsa_members(rsa_.get()) +
                                R"(},{"kid":"a",)" + ec_members(ec_.get()) + "}]}")),
            "JWKS key 1 (kid \"a\"): another key has the same kid");
}

TEST_F(JwksTest, RefusesBadRsaMembers) {
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"RSA","e":"AQAB"}]})")),
            "JWKS key 0: \"n\" is missing or not a string");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"RSA","n":"AQAB=","e":"AQAB"}]})")),
            "JWKS key 0: \"n\" is not unpadded base64url");
  // 1024-bit and 2047-bit moduli are refused; 2048 bits (the generated key) is accepted above.
  const std::string n1024 = base64url_encode(concat({"\x80", std::string(127, '\x01')}));
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"RSA","n":")" + n1024 + R"(","e":"AQAB"}]})")),
            "JWKS key 0: RSA modulus of 1024 bits (2048 to 16384 accepted)");
  const std::string n2047 = base64url_encode(concat({"\x40", std::string(255, '\x01')}));
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"RSA","n":")" + n2047 + R"(","e":"AQAB"}]})")),
            "JWKS key 0: RSA modulus of 2047 bits (2048 to 16384 accepted)");
  const std::string n2048 = base64url_encode(concat({"\x80", std::string(255, '\x01')}));
  EXPECT_EQ(
      error_of(parse_jwks(R"({"keys":[{"kty":"RSA","n":")" + n2048 + R"(","e":"AQA"}]})")),
      "JWKS key 0: RSA exponent \"e\" is not an odd number of at most 64 bits greater than 1");
  EXPECT_TRUE(parse_jwks(R"({"keys":[{"kty":"RSA","n":")" + n2048 + R"(","e":"AQAB"}]})"));
}

TEST_F(JwksTest, RefusesBadEcMembers) {
  const std::string x = bn_param(ec_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
  const std::string y = bn_param(ec_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
  const auto key = [](std::string_view xs, std::string_view ys) {
    return R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + std::string(xs) + R"(","y":")" +
           std::string(ys) + "\"}]}";
  };
  EXPECT_TRUE(parse_jwks(key(x, y)));
  EXPECT_EQ(error_of(parse_jwks(key(x, x))),
            "JWKS key 0: the point (x, y) is not on the P-256 curve");
  EXPECT_EQ(error_of(parse_jwks(key(x, base64url_encode(std::string(31, '\x01'))))),
            "JWKS key 0: P-256 coordinates \"x\" and \"y\" must be 32 bytes each");
  EXPECT_EQ(error_of(parse_jwks(R"({"keys":[{"kty":"EC","x":"AA","y":"AA"}]})")),
            "JWKS key 0: \"crv\" is missing or not a string");
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(ONEHOP_TEST_DATA) + "/jwt/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// tests/data/jwt/make_fixtures.py wrote the JWKS from `openssl pkey -text_pub` and the PEMs with
// `openssl pkey -pubout`: the same keys, by a path that shares no code with parse_jwks.
TEST(JwksFixture, MatchesOpensslCommandLine) {
  const auto set = parse_jwks(read_fixture("jwks.json"));
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ((*set)[0].kid, "fixture-rsa");
  EXPECT_EQ((*set)[0].pem, read_fixture("rsa_public.pem"));
  EXPECT_EQ((*set)[1].kid, "fixture-ec");
  EXPECT_EQ((*set)[1].pem, read_fixture("ec_public.pem"));
}

}  // namespace
}  // namespace onehop::api
