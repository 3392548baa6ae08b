#pragma once
// SigV4 signing-key derivation: HMAC chain over date, region, service and "aws4_request".
// Four HMACs per derivation, so a key is derived once per (secret, date, region, service) and
// kept; signing a request then costs one HMAC with precomputed pads.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "sigv4/crypto.hpp"

namespace onehop::sigv4 {

// The credential scope's variable parts: "<date>/<region>/<service>/aws4_request".
struct credential_scope {
  std::string_view date;  // YYYYMMDD
  std::string_view region;
  std::string_view service;
};

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
sha256_digest derive_signing_key(std::string_view secret_access_key, const credential_scope& scope);

// A small cache of derived keys, ready to sign (pads precomputed). Not thread-safe: keep one per
// thread or per signer. Entries are matched on the secret's SHA-256, never kept in clear.
class signing_key_cache {
 public:
  static constexpr std::size_t capacity = 8;

  // Returns the key for (secret, scope), deriving it on a miss. The reference stays valid until
  // the next call.
  const hmac_sha256_key& get(std::string_view secret_access_key, const credential_scope& scope);

 private:
  struct entry {
    sha256_digest secret_digest{};
    std::string scope;  // "<date>/<region>/<service>"
    hmac_sha256_key key{std::string_view{}};
    std::uint64_t last_used = 0;
    bool valid = false;
  };
  std::array<entry, capacity> entries_;
  std::uint64_t clock_ = 0;
  std::string scratch_;
};

}  // namespace onehop::sigv4
