#include "sigv4/signing_key.hpp"

#include <openssl/crypto.h>

#include <string>

namespace onehop::sigv4 {

sha256_digest derive_signing_key(std::string_view secret_access_key,
                                 const credential_scope& scope) {
  std::string seed;
  seed.reserve(4 + secret_access_key.size());
  seed.append("AWS4").append(secret_access_key);
  const auto* seed_bytes = reinterpret_cast<const std::uint8_t*>(seed.data());
  sha256_digest k = hmac_sha256({seed_bytes, seed.size()}, scope.date);
  OPENSSL_cleanse(seed.data(), seed.size());
  k = hmac_sha256(k, scope.region);
  k = hmac_sha256(k, scope.service);
  return hmac_sha256(k, "aws4_request");
}

const hmac_sha256_key& signing_key_cache::get(std::string_view secret_access_key,
                                              const credential_scope& scope) {
  scratch_.clear();
  scratch_.append(scope.date).append("/").append(scope.region).append("/").append(scope.service);
  const sha256_digest secret_digest = sha256(secret_access_key);
  ++clock_;
  entry* victim = &entries_[0];
  for (entry& e : entries_) {
    if (e.valid && e.scope == scratch_ && e.secret_digest == secret_digest) {
      e.last_used = clock_;
      return e.key;
    }
    if (!e.valid || e.last_used < victim->last_used) {
      victim = &e;
    }
  }
  sha256_digest derived = derive_signing_key(secret_access_key, scope);
  victim->key = hmac_sha256_key(derived);
  OPENSSL_cleanse(derived.data(), derived.size());
  victim->secret_digest = secret_digest;
  victim->scope = scratch_;
  victim->last_used = clock_;
  victim->valid = true;
  return victim->key;
}

}  // namespace onehop::sigv4
