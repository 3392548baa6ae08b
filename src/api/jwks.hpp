#pragma once
// A JSON Web Key Set (RFC 7517 section 5) turned into the public keys onehop verifies with.
//
// libjwt 1.10 takes verification keys as PEM only, so each usable JWK is rebuilt as an OpenSSL
// public key (EVP_PKEY_fromdata) and written out as a SubjectPublicKeyInfo PEM, once, at start-up.
//
// Accepted: a JSON object with a "keys" array of objects. Usable keys:
//   kty "RSA" with n and e (modulus of min_rsa_bits..max_rsa_bits bits, odd public exponent)
//   kty "EC" with crv "P-256", x and y (32 bytes each, a point on the curve)
// Skipped (as RFC 7517 section 5 asks for what a reader does not use): other kty values, other
// curves, "use" other than "sig", an "alg" other than RS256 (RSA) or ES256 (P-256).
// Refused (errc::invalid_request, message naming the key by index and kid): malformed members,
// private key material ("d", "p", "k", ...), two usable keys with one kid, no usable key at all,
// a set larger than max_jwks_bytes or with more than max_jwks_keys keys.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"

namespace onehop::api {

inline constexpr std::size_t max_jwks_bytes = 1 << 20;
inline constexpr std::size_t max_jwks_keys = 64;
inline constexpr unsigned min_rsa_bits = 2048;
inline constexpr unsigned max_rsa_bits = 16384;

enum class jwk_type : std::uint8_t { rsa, ec_p256 };

struct jwk {
  std::optional<std::string> kid;
  jwk_type type = jwk_type::rsa;
  std::string pem;  // SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"
};

result<std::vector<jwk>> parse_jwks(std::string_view json_text);

}  // namespace onehop::api
