#include "api/auth_api_keys.hpp"

#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

std::string_view as_view(const sigv4::sha256_digest& d) noexcept {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

result<api_key_set> api_key_set::create(const std::vector<api_key_entry>& entries) {
  api_key_set set;
  set.entries_.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto where = concat({"API key ", std::to_string(i), ": "});
    entry e;
    if (entries[i].key_sha256_hex.size() != 2 * sigv4::sha256_size ||
        !sigv4::hex_decode(entries[i].key_sha256_hex, e.digest)) {
      return make_error(errc::invalid_request,
                        where + "key_sha256_hex must be the 64 hex digits of SHA-256(key)");
    }
    if (!valid_user_name(entries[i].user)) {
      return make_error(errc::invalid_request, where + "user is not a valid user name");
    }
    for (const auto& other : set.entries_) {
      if (other.digest == e.digest) {
        return make_error(errc::invalid_request, where + "the same key hash appears twice");
      }
    }
    e.user = entries[i].user;
    set.entries_.push_back(std::move(e));
  }
  return set;
}

std::optional<std::string_view> api_key_set::find(std::string_view key) const noexcept {
  const auto digest = sigv4::sha256(key);
  const entry* match = nullptr;
  for (const auto& e : entries_) {
    // No early exit: every entry is compared whatever the outcome.
    const bool equal = sigv4::constant_time_equal(as_view(e.digest), as_view(digest));
    match = equal ? &e : match;
  }
  if (match == nullptr) {
    return std::nullopt;
  }
  return std::string_view(match->user);
}

}  // namespace onehop::api
