#pragma once
// Authentication of API callers: the credential of `Authorization: Bearer <credential>`.
//
// A credential with a '.' is a JWT (RFC 7519) in compact JWS form; any other is an API key.
//
// JWTs are verified with libjwt. Exactly three algorithms are accepted, each with one kind of
// key: HS256 with `hs256_secret`, RS256 with an RSA key of the JWKS, ES256 with a P-256 key of
// the JWKS. The algorithm named in the token's header selects the kind of key, and the key is
// never used with another algorithm: an HS256 token cannot be verified with an RSA public key
// as its HMAC secret, and `none` is always refused. Claims: `exp` is required, `nbf` checked
// when present (both with `leeway`), `iss` and `aud` checked when configured (`aud` may be a
// string or an array), and `sub` is the user name (see valid_user_name).
//
// API keys are for server-to-server calls; the configuration holds their SHA-256, never the
// keys. Neither tokens nor keys ever appear in error messages.
//
// Verified tokens are cached (bounded; see auth_cache.hpp), so the hot path costs a hash and a
// comparison of the token bytes rather than a JSON parse and a signature check.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"

namespace onehop::api {

// Caps on the credential, checked before anything is decoded.
inline constexpr std::size_t max_bearer_bytes = 8192;
inline constexpr std::size_t max_user_name_bytes = 128;

struct api_key_entry {
  std::string key_sha256_hex;  // lower- or upper-case hex of SHA-256(key): store hashes, not keys
  std::string user;
};

struct auth_config {
  std::string hs256_secret;      // empty: HS256 off
  std::string jwks_json;         // contents of the JWKS file; empty: RS256/ES256 off
  std::string issuer, audience;  // empty: not checked
  std::chrono::seconds leeway{30};
  std::vector<api_key_entry> api_keys;
};

struct principal {
  std::string user;
  // The token's `exp`; for API keys, sys_seconds::max().
  std::chrono::sys_seconds expires;
  bool api_key = false;
};

struct auth_cache_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t inserts = 0;
};

// Thread-safe: authenticate() may be called from any number of threads at once.
class authenticator {
 public:
  // Errors (errc::invalid_request, with a message naming the problem): a JWKS that is not JSON,
  // a key that cannot be used, duplicate key ids, an API key entry that is not 64 hex digits or
  // whose user name is invalid, nothing enabled at all.
  static result<authenticator> create(const auth_config& config);

  authenticator(authenticator&&) noexcept;
  authenticator& operator=(authenticator&&) noexcept;
  ~authenticator();

  // The bearer credential: a JWT or an API key. Errors are errc::unauthorized with a precise
  // message: "missing credentials", "token too large", "malformed token", "algorithm none
  // refused", "token algorithm not supported", "HS256 tokens are not accepted", "unknown key
  // id", "token has no key id", "signature does not match", "token expired", "token not yet
  // valid", "token has no expiry", "token issuer does not match", "token audience does not
  // match", "token has no subject", "token subject is not a valid user name", "unknown API key".
  result<principal> authenticate(std::string_view bearer, std::chrono::sys_seconds now) const;

  auth_cache_stats cache_stats() const noexcept;

 private:
  struct impl;
  explicit authenticator(std::unique_ptr<impl> p) noexcept;
  std::unique_ptr<impl> impl_;
};

// Dev mode (`onehop dev` only): an HS256 token for `user` (its `sub`), with `iat` = now,
// `exp` = now + ttl, and `iss` / `aud` when configured. Signed by libjwt with hs256_secret.
// Errors (invalid_request): no HS256 secret, an invalid user name, a ttl that is not positive.
result<std::string> issue_dev_token(const auth_config& config, std::string_view user,
                                    std::chrono::seconds ttl, std::chrono::sys_seconds now);

// `sub` and dev user names: 1..128 bytes of well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF) without control characters (U+0000-U+001F, U+007F-U+009F).
// Note that '/' and '.' are allowed: whoever builds storage keys from a user name must encode it.
bool valid_user_name(std::string_view user) noexcept;

}  // namespace onehop::api
