// The authenticator: cache, then structure and header (pure, auth_jwt.hpp), then the key the
// header's algorithm allows, then libjwt for the signature, then the claims.

#include "api/auth.hpp"

#include <jwt.h>

#include <array>
#include <cstring>

#include "api/auth_api_keys.hpp"
#include "api/auth_cache.hpp"
#include "api/auth_jwt.hpp"
#include "api/jwks.hpp"

namespace onehop::api {

namespace {

api_error unauthorized(std::string message) {
  return make_error(errc::unauthorized, std::move(message));
}

struct jwt_deleter {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;

jwt_alg_t to_libjwt(jwt_alg a) noexcept {
  switch (a) {
    case jwt_alg::hs256:
      return JWT_ALG_HS256;
    case jwt_alg::rs256:
      return JWT_ALG_RS256;
    case jwt_alg::es256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

jwk_type key_type_for(jwt_alg a) noexcept {
  return a == jwt_alg::rs256 ? jwk_type::rsa : jwk_type::ec_p256;
}

}  // namespace

struct authenticator::impl {
  std::string hs256_secret;
  std::vector<jwk> keys;
  std::string issuer, audience;
  std::chrono::seconds leeway{};
  api_key_set api_keys;
  mutable token_cache cache;  // thread-safe; filling it does not change what authenticates

  // The key for a token whose header passed parse_jose_header: the HS256 secret for HS256
  // (never a JWKS key), a JWKS key of exactly the algorithm's type otherwise.
  result<std::string_view> key_for(const jose_header& h) const {
    if (h.alg == jwt_alg::hs256) {
      if (hs256_secret.empty()) {
        return unauthorized("HS256 tokens are not accepted");
      }
      return std::string_view(hs256_secret);
    }
    if (keys.empty()) {
      return unauthorized(std::string(jwt_alg_name(h.alg)) + " tokens are not accepted");
    }
    const jwk_type wanted = key_type_for(h.alg);
    if (h.kid) {
      for (const auto& k : keys) {
        if (k.kid == h.kid) {
          if (k.type != wanted) {
            return unauthorized("token algorithm does not match its key");
          }
          return std::string_view(k.pem);
        }
      }
      return unauthorized("unknown key id");
    }
    // Without a kid the key must be unambiguous: the only one of its type.
    const jwk* only = nullptr;
    for (const auto& k : keys) {
      if (k.type == wanted) {
        if (only != nullptr) {
          return unauthorized("token has no key id");
        }
        only = &k;
      }
    }
    if (only == nullptr) {
      return unauthorized(std::string(jwt_alg_name(h.alg)) + " tokens are not accepted");
    }
    return std::string_view(only->pem);
  }

  result<principal> verify_jwt(std::string_view token, std::chrono::sys_seconds now) const {
    auto parts = split_jwt(token);
    if (!parts) {
      return parts.error();
    }
    auto header = parse_jose_header(parts->header);
    if (!header) {
      return header.error();
    }
    auto key = key_for(*header);
    if (!key) {
      return key.error();
    }
    // libjwt wants a NUL-terminated token; the size cap lets it live on the stack.
    std::array<char, max_bearer_bytes + 1> text;
    std::memcpy(text.data(), token.data(), token.size());
    text[token.size()] = '\0';
    jwt_t* raw = nullptr;
    const int rc =
        jwt_decode(&raw, text.data(), reinterpret_cast<const unsigned char*>(key->data()),
                   static_cast<int>(key->size()));
    const jwt_ptr decoded(raw);
    // Everything libjwt refuses for other reasons was refused above, so what is left is the
    // signature (or a payload only jansson finds malformed, which is refused all the same).
    if (rc != 0 || !decoded) {
      return unauthorized("signature does not match");
    }
    // Both JSON parsers must have read the same algorithm: a header with two "alg" members
    // must not be verified under one reading and accepted under the other.
    if (jwt_get_alg(decoded.get()) != to_libjwt(header->alg)) {
      return unauthorized("malformed token header");
    }
    auto claims = parse_jwt_claims(parts->payload);
    if (!claims) {
      return claims.error();
    }
    auto checked = check_claims(std::move(*claims), claim_rules{issuer, audience, leeway}, now);
    if (!checked) {
      return checked.error();
    }
    cache.insert(token, checked->user, checked->expires, checked->not_before, now);
    return principal{std::move(checked->user), checked->expires, false};
  }
};

result<authenticator> authenticator::create(const auth_config& config) {
  if (config.leeway < std::chrono::seconds{0} || config.leeway > std::chrono::hours{1}) {
    return make_error(errc::invalid_request, "auth leeway must be between 0 and 3600 seconds");
  }
  auto api_keys = api_key_set::create(config.api_keys);
  if (!api_keys) {
    return api_keys.error();
  }
  std::vector<jwk> keys;
  if (!config.jwks_json.empty()) {
    auto parsed = parse_jwks(config.jwks_json);
    if (!parsed) {
      return parsed.error();
    }
    keys = std::move(*parsed);
  }
  if (config.hs256_secret.empty() && keys.empty() && api_keys->empty()) {
    return make_error(errc::invalid_request,
                      "no authentication configured: set an HS256 secret, a JWKS or API keys");
  }
  auto p = std::make_unique<impl>();
  p->hs256_secret = config.hs256_secret;
  p->keys = std::move(keys);
  p->issuer = config.issuer;
  p->audience = config.audience;
  p->leeway = config.leeway;
  p->api_keys = std::move(*api_keys);
  return authenticator(std::move(p));
}

authenticator::authenticator(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
authenticator::authenticator(authenticator&&) noexcept = default;
authenticator& authenticator::operator=(authenticator&&) noexcept = default;
authenticator::~authenticator() = default;

result<principal> authenticator::authenticate(std::string_view bearer,
                                              std::chrono::sys_seconds now) const {
  if (bearer.empty()) {
    return unauthorized("missing credentials");
  }
  if (bearer.size() > max_bearer_bytes) {
    return unauthorized("token too large");
  }
  if (bearer.find('.') == std::string_view::npos) {
    if (impl_->api_keys.empty()) {
      return unauthorized("malformed token");
    }
    if (const auto user = impl_->api_keys.find(bearer)) {
      return principal{std::string(*user), std::chrono::sys_seconds::max(), true};
    }
    return unauthorized("unknown API key");
  }
  if (auto hit = impl_->cache.lookup(bearer, now)) {
    return std::move(*hit);
  }
  return impl_->verify_jwt(bearer, now);
}

auth_cache_stats authenticator::cache_stats() const noexcept {
  return impl_->cache.stats();
}

}  // namespace onehop::api
