#pragma once
// Upload ids that carry their pending upload: "u_<26 random>.<payload>.<mac>".
//
// The hot path (a single PUT or POST) records nothing: everything completion needs (user, type,
// size, checksum, file name, method, expiry) travels in the id, authenticated with HMAC-SHA256
// under the server's upload-token secret, so a client cannot change a byte of it. Completion
// checks the MAC, the expiry and the user, then the stored object, and only then records the
// image. The object of an upload never completed is removed by the sweeper's orphan scan (the
// key is in no record once the lifetime has passed). Multipart uploads, which wait on the
// storage anyway, keep a database record and a plain id "u_<26 random>".
//
// Grammar (everything ASCII):
//   token   = "u_" body "." payload "." mac
//   body    = 26 base32 characters (ids.hpp)
//   payload = base64url (unpadded) of:
//             version(1, = 1) expires(8, big-endian seconds) size(8) method(1: 0 PUT, 1 POST)
//             user_len(1) user  type_len(1) type  sha_len(1: 0 or 32) sha  name_len(2) name
//   mac     = base64url of the first 16 bytes of HMAC-SHA256(secret, "u_" body "." payload)
// At most max_token_size bytes.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "sigv4/crypto.hpp"

namespace onehop::api {

inline constexpr std::size_t max_token_size = 1024;

struct upload_claims {
  std::string body;  // the 26 random characters (the key's name, the image id's body)
  std::string user;
  std::string content_type;
  std::string filename;
  std::uint64_t size = 0;
  std::string sha256;  // base64 or empty
  bool post = false;   // a browser POST form rather than a PUT
  std::chrono::sys_seconds expires{};
};

class upload_token_signer {
 public:
  // `secret`: at least 32 bytes. Every instance behind one load balancer needs the same one.
  explicit upload_token_signer(std::string_view secret);

  // Appends the token to `out`. Errors (invalid_request): a field above its length limit.
  result<void> issue(std::string& out, const upload_claims& claims) const;

  // Checks shape, MAC (constant time) and version; not the expiry or the user (the caller's).
  // Errors: not_found for anything that is not a token this server issued (an id from another
  // deployment is as unknown as a made-up one).
  result<upload_claims> open(std::string_view token) const;

 private:
  sigv4::hmac_sha256_key key_;
};

// The shape check routing does before any lookup: a plain id, or "u_<26>." and at most
// max_token_size bytes of base64url and '.'.
bool plausible_upload_ref(std::string_view id) noexcept;

// True when `id` looks like a token (a plain id has no '.').
constexpr bool is_upload_token(std::string_view id) noexcept {
  return id.find('.') != std::string_view::npos;
}

}  // namespace onehop::api
