// Dev-mode tokens, signed by the same library that verifies them.

#include <jwt.h>

#include <cstdlib>
#include <memory>

#include "api/auth.hpp"

namespace onehop::api {
namespace {

struct jwt_deleter {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};

}  // namespace

result<std::string> issue_dev_token(const auth_config& config, std::string_view user,
                                    std::chrono::seconds ttl, std::chrono::sys_seconds now) {
  if (config.hs256_secret.empty()) {
    return make_error(errc::invalid_request, "dev tokens need an HS256 secret");
  }
  if (!valid_user_name(user)) {
    return make_error(errc::invalid_request,
                      "user must be 1 to 128 bytes of UTF-8 without control characters");
  }
  if (ttl <= std::chrono::seconds{0} || ttl > std::chrono::days{366}) {
    return make_error(errc::invalid_request, "token lifetime must be between 1 s and 366 days");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) {
    return make_error(errc::internal, "cannot create a token");
  }
  const std::unique_ptr<jwt_t, jwt_deleter> token(raw);
  const auto iat = now.time_since_epoch().count();
  const std::string sub(user);
  bool ok = jwt_add_grant(token.get(), "sub", sub.c_str()) == 0 &&
            jwt_add_grant_int(token.get(), "iat", static_cast<long>(iat)) == 0 &&
            jwt_add_grant_int(token.get(), "exp", static_cast<long>(iat + ttl.count())) == 0;
  if (ok && !config.issuer.empty()) {
    ok = jwt_add_grant(token.get(), "iss", config.issuer.c_str()) == 0;
  }
  if (ok && !config.audience.empty()) {
    ok = jwt_add_grant(token.get(), "aud", config.audience.c_str()) == 0;
  }
  ok = ok && jwt_set_alg(token.get(), JWT_ALG_HS256,
                         reinterpret_cast<const unsigned char*>(config.hs256_secret.data()),
                         static_cast<int>(config.hs256_secret.size())) == 0;
  if (!ok) {
    return make_error(errc::internal, "cannot build a token");
  }
  // libjwt 1.10 returns a malloc'd string (it has no jwt_free_str yet).
  const std::unique_ptr<char, decltype(&std::free)> text(jwt_encode_str(token.get()), &std::free);
  if (!text) {
    return make_error(errc::internal, "cannot sign a token");
  }
  return std::string(text.get());
}

}  // namespace onehop::api
