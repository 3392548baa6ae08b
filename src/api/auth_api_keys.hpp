#pragma once
// API keys for server-to-server calls. The configuration holds SHA-256(key) in hex, never the
// key, so a leaked configuration file does not leak credentials.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.hpp"
#include "sigv4/crypto.hpp"

namespace onehop::api {

class api_key_set {
 public:
  // Errors (invalid_request): a hash that is not 64 hex digits, a user name that fails
  // valid_user_name, the same hash twice. Messages name the entry by index only.
  static result<api_key_set> create(const std::vector<api_key_entry>& entries);

  bool empty() const noexcept { return entries_.empty(); }

  // The user of `key`, or nullopt. Hashes the key once and compares the digest with every entry
  // in constant time, so neither the match nor its position shows in the timing.
  std::optional<std::string_view> find(std::string_view key) const noexcept;

 private:
  struct entry {
    sigv4::sha256_digest digest;
    std::string user;
  };
  std::vector<entry> entries_;
};

}  // namespace onehop::api
