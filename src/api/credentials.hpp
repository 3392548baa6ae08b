#pragma once
// Where a request's credentials are, as pure functions of its headers: the bearer token, an API
// key header, or the session cookie; and whether a cookie-authenticated state change comes from
// an allowed Origin (the CSRF defence: a cookie is sent by the browser whatever page asks).

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace onehop::api {

enum class credential_source { none, bearer, api_key_header, cookie };

struct presented_credential {
  credential_source source = credential_source::none;
  std::string_view value;
};

// Authorization: Bearer <v> (scheme case-insensitive, one space or more), else X-Api-Key, else
// the cookie named `cookie_name` in Cookie. An Authorization header with another scheme, or an
// empty value, is presented as bearer with an empty value (refused as malformed, never skipped).
presented_credential find_credential(std::string_view authorization, std::string_view api_key,
                                     std::string_view cookie_header, std::string_view cookie_name);

// One cookie's value from a Cookie header (`a=1; b=2`), or nullopt.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

// True when `origin` (the Origin header) is exactly one of `allowed` (scheme://host[:port]).
bool origin_allowed(std::string_view origin, std::span<const std::string> allowed);

// With no configured origins: `origin` is http:// or https:// followed by exactly `host` (the Host
// header), i.e. the page was served by this API. (A DNS-rebinding page has its own host name, for
// which the browser holds no cookie of ours.)
bool same_origin(std::string_view origin, std::string_view host);

// The Set-Cookie value for a session token: HttpOnly, SameSite=Strict, Path=/, Max-Age; Secure
// when the API is served over https.
std::string session_cookie(std::string_view name, std::string_view token, long max_age_seconds,
                           bool secure);

}  // namespace onehop::api
