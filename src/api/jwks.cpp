#include "api/jwks.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>

#include "api/auth_base64url.hpp"
#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

namespace json = boost::json;

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using pkey_ctx_ptr =
    std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using param_bld_ptr =
    std::unique_ptr<OSSL_PARAM_BLD, openssl_deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, openssl_deleter<OSSL_PARAM, OSSL_PARAM_free>>;

// Members that only a private (or symmetric) JWK has (RFC 7518 sections 6.2.2, 6.3.2, 6.4.1).
constexpr std::array<std::string_view, 8> private_members = {"d",  "p",  "q",   "dp",
                                                             "dq", "qi", "oth", "k"};

class key_error {
 public:
  key_error(std::size_t index, const json::object& key) : index_(index) {
    if (const auto* kid = key.if_contains("kid"); kid != nullptr && kid->is_string()) {
      kid_ = kid->get_string();
    }
  }
  api_error operator()(std::string_view what) const {
    std::string m = concat({"JWKS key ", std::to_string(index_)});
    if (!kid_.empty()) {
      m += concat({" (kid \"", kid_, "\")"});
    }
    m += ": ";
    m += what;
    return make_error(errc::invalid_request, std::move(m));
  }

 private:
  std::size_t index_;
  std::string kid_;
};

result<std::string> member_bytes(const json::object& key, std::string_view name,
                                 const key_error& fail) {
  const auto* v = key.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return fail(concat({"\"", name, "\" is missing or not a string"}));
  }
  auto bytes = base64url_decode(v->get_string());
  if (!bytes || bytes->empty()) {
    return fail(concat({"\"", name, "\" is not unpadded base64url"}));
  }
  return std::move(*bytes);
}

bn_ptr to_bn(std::string_view big_endian) {
  return bn_ptr(BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                          static_cast<int>(big_endian.size()), nullptr));
}

// Builds a public EVP_PKEY of `type` ("RSA" or "EC") from the parameters in `bld`.
pkey_ptr from_params(const char* type, OSSL_PARAM_BLD* bld) {
  const params_ptr params(OSSL_PARAM_BLD_to_param(bld));
  const pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return nullptr;
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return pkey_ptr(raw);
}

std::optional<std::string> to_pem(EVP_PKEY* key) {
  const bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return std::nullopt;
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0) {
    return std::nullopt;
  }
  return std::string(data, static_cast<std::size_t>(n));
}

result<std::string> rsa_pem(const json::object& key, const key_error& fail) {
  auto n = member_bytes(key, "n", fail);
  if (!n) {
    return n.error();
  }
  auto e = member_bytes(key, "e", fail);
  if (!e) {
    return e.error();
  }
  const bn_ptr bn_n = to_bn(*n);
  const bn_ptr bn_e = to_bn(*e);
  if (!bn_n || !bn_e) {
    return make_error(errc::internal, "out of memory building an RSA key");
  }
  const auto bits = static_cast<unsigned>(BN_num_bits(bn_n.get()));
  if (bits < min_rsa_bits || bits > max_rsa_bits) {
    return fail(
        concat({"RSA modulus of ", std::to_string(bits), " bits (", std::to_string(min_rsa_bits),
                " to ", std::to_string(max_rsa_bits), " accepted)"}));
  }
  // Exponents are small odd numbers in practice (65537); a huge one is a malformed key.
  if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2 || BN_num_bits(bn_e.get()) > 64) {
    return fail("RSA exponent \"e\" is not an odd number of at most 64 bits greater than 1");
  }
  const param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return make_error(errc::internal, "out of memory building an RSA key");
  }
  const pkey_ptr pkey = from_params("RSA", bld.get());
  if (!pkey) {
    return fail("OpenSSL refused the RSA key");
  }
  auto pem = to_pem(pkey.get());
  if (!pem) {
    return make_error(errc::internal, "cannot write an RSA key as PEM");
  }
  return std::move(*pem);
}

result<std::string> ec_p256_pem(const json::object& key, const key_error& fail) {
  constexpr std::size_t coordinate_bytes = 32;
  auto x = member_bytes(key, "x", fail);
  if (!x) {
    return x.error();
  }
  auto y = member_bytes(key, "y", fail);
  if (!y) {
    return y.error();
  }
  // RFC 7518 section 6.2.1.2: the full coordinate size, leading zeros kept.
  if (x->size() != coordinate_bytes || y->size() != coordinate_bytes) {
    return fail("P-256 coordinates \"x\" and \"y\" must be 32 bytes each");
  }
  // SEC 1 uncompressed point: 0x04 || x || y.
  std::string point(1, '\x04');
  point += *x;
  point += *y;
  const param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return make_error(errc::internal, "out of memory building an EC key");
  }
  const pkey_ptr pkey = from_params("EC", bld.get());
  if (!pkey) {
    return fail("the point (x, y) is not on the P-256 curve");
  }
  // fromdata decodes the point; the explicit check makes "on the curve" a stated guarantee
  // rather than a property of the OpenSSL version.
  const pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return fail("the point (x, y) is not on the P-256 curve");
  }
  auto pem = to_pem(pkey.get());
  if (!pem) {
    return make_error(errc::internal, "cannot write an EC key as PEM");
  }
  return std::move(*pem);
}

// What the key is for, or nullopt if it is to be skipped.
result<std::optional<jwk_type>> usable_type(const json::object& key, const key_error& fail) {
  const auto* kty = key.if_contains("kty");
  if (kty == nullptr || !kty->is_string()) {
    return fail("\"kty\" is missing or not a string");
  }
  for (const auto m : private_members) {
    if (key.contains(m)) {
      return fail(
          concat({"holds private or secret key material (\"", m, "\"); publish only public keys"}));
    }
  }
  if (const auto* use = key.if_contains("use");
      use != nullptr && use->is_string() && use->get_string() != "sig") {
    return std::optional<jwk_type>();
  }
  std::optional<jwk_type> type;
  std::string_view expected_alg;
  if (kty->get_string() == "RSA") {
    type = jwk_type::rsa;
    expected_alg = "RS256";
  } else if (kty->get_string() == "EC") {
    const auto* crv = key.if_contains("crv");
    if (crv == nullptr || !crv->is_string()) {
      return fail("\"crv\" is missing or not a string");
    }
    if (crv->get_string() != "P-256") {
      return std::optional<jwk_type>();
    }
    type = jwk_type::ec_p256;
    expected_alg = "ES256";
  } else {
    return std::optional<jwk_type>();
  }
  if (const auto* alg = key.if_contains("alg")) {
    if (!alg->is_string()) {
      return fail("\"alg\" is not a string");
    }
    if (alg->get_string() != expected_alg) {
      return std::optional<jwk_type>();
    }
  }
  return type;
}

}  // namespace

result<std::vector<jwk>> parse_jwks(std::string_view json_text) {
  if (json_text.size() > max_jwks_bytes) {
    return make_error(errc::invalid_request,
                      concat({"JWKS larger than ", std::to_string(max_jwks_bytes), " bytes"}));
  }
  boost::system::error_code ec;
  const json::value doc = json::parse(json_text, ec);
  if (ec) {
    return make_error(errc::invalid_request, concat({"JWKS is not valid JSON: ", ec.message()}));
  }
  const auto* keys = doc.is_object() ? doc.get_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return make_error(errc::invalid_request, "JWKS is not an object with a \"keys\" array");
  }
  if (keys->get_array().size() > max_jwks_keys) {
    return make_error(errc::invalid_request,
                      concat({"JWKS has more than ", std::to_string(max_jwks_keys), " keys"}));
  }
  std::vector<jwk> out;
  std::size_t index = 0;
  for (const auto& v : keys->get_array()) {
    if (!v.is_object()) {
      return make_error(errc::invalid_request,
                        concat({"JWKS key ", std::to_string(index), " is not an object"}));
    }
    const auto& key = v.get_object();
    const key_error fail(index++, key);
    auto type = usable_type(key, fail);
    if (!type) {
      return type.error();
    }
    if (!*type) {
      continue;
    }
    jwk k;
    k.type = **type;
    if (const auto* kid = key.if_contains("kid")) {
      if (!kid->is_string()) {
        return fail("\"kid\" is not a string");
      }
      k.kid = std::string(kid->get_string());
      for (const auto& other : out) {
        if (other.kid == k.kid) {
          return fail("another key has the same kid");
        }
      }
    }
    auto pem = k.type == jwk_type::rsa ? rsa_pem(key, fail) : ec_p256_pem(key, fail);
    if (!pem) {
      return pem.error();
    }
    k.pem = std::move(*pem);
    out.push_back(std::move(k));
  }
  if (out.empty()) {
    return make_error(errc::invalid_request, "JWKS has no usable RS256 (RSA) or ES256 (P-256) key");
  }
  return out;
}

}  // namespace onehop::api
