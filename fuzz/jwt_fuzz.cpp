// Fuzzes bearer-credential authentication: JWT structure, JOSE header and claims parsing, key
// selection, libjwt verification, the verified-token cache and the API-key path. No crash, no
// sanitizer report, and every accepted credential obeys the contract of auth.hpp. The seed
// corpus holds valid tokens for the fixed secret below, so mutations start from accepted input.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/auth.hpp"
#include "api/auth_base64url.hpp"
#include "sigv4/crypto.hpp"

namespace api = onehop::api;

namespace {

const std::chrono::sys_seconds now{std::chrono::seconds{1'700'000'000}};

std::string b64_param(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(
      pad > 0 ? static_cast<std::size_t>(pad) : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return api::base64url_encode(out);
}

const api::authenticator& instance() {
  static const api::authenticator auth = [] {
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    api::auth_config c;
    c.hs256_secret = "onehop-fuzz-secret";
    c.jwks_json = R"({"keys":[{"kty":"RSA","kid":"rsa1","n":")" +
                  b64_param(rsa, OSSL_PKEY_PARAM_RSA_N, 0) + R"(","e":")" +
                  b64_param(rsa, OSSL_PKEY_PARAM_RSA_E, 0) +
                  R"("},{"kty":"EC","crv":"P-256","kid":"ec1","x":")" +
                  b64_param(ec, OSSL_PKEY_PARAM_EC_PUB_X, 32) + R"(","y":")" +
                  b64_param(ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32) + R"("}]})";
    c.api_keys = {{onehop::sigv4::to_hex(onehop::sigv4::sha256("fuzz-api-key")), "service"}};
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    auto a = api::authenticator::create(c);
    if (!a) {
      __builtin_trap();
    }
    return std::move(*a);
  }();
  return auth;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bearer(reinterpret_cast<const char*>(data), size);
  const auto& auth = instance();
  const auto first = auth.authenticate(bearer, now);
  // The second call may come from the cache; it must decide the same.
  const auto second = auth.authenticate(bearer, now);
  if (first.has_value() != second.has_value()) {
    __builtin_trap();
  }
  if (!first) {
    if (first.error().code != api::errc::unauthorized || first.error().message.empty() ||
        second.error().message != first.error().message) {
      __builtin_trap();
    }
    return 0;
  }
  if (first->user != second->user || first->expires != second->expires ||
      !api::valid_user_name(first->user) || bearer.size() > api::max_bearer_bytes) {
    __builtin_trap();
  }
  const auto dots = static_cast<std::size_t>(std::count(bearer.begin(), bearer.end(), '.'));
  if (first->api_key ? (dots != 0 || first->user != "service")
                     : (dots != 2 || first->expires <= now)) {
    __builtin_trap();
  }
  return 0;
}
