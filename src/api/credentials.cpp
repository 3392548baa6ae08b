#include "api/credentials.hpp"

#include <algorithm>

namespace onehop::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != prefix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

presented_credential find_credential(std::string_view authorization, std::string_view api_key,
                                     std::string_view cookie_header, std::string_view cookie_name) {
  if (!authorization.empty()) {
    authorization = trim(authorization);
    if (iequals_prefix(authorization, "bearer ") || iequals_prefix(authorization, "bearer\t")) {
      return {credential_source::bearer, trim(authorization.substr(7))};
    }
    return {credential_source::bearer, {}};
  }
  if (!api_key.empty()) {
    return {credential_source::api_key_header, trim(api_key)};
  }
  if (!cookie_header.empty()) {
    if (auto value = cookie_value(cookie_header, cookie_name); value && !value->empty()) {
      return {credential_source::cookie, *value};
    }
  }
  return {};
}

std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                             std::string_view name) {
  while (!cookie_header.empty()) {
    const auto semi = cookie_header.find(';');
    const std::string_view pair = trim(cookie_header.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (semi == std::string_view::npos) {
      break;
    }
    cookie_header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

bool origin_allowed(std::string_view origin, std::span<const std::string> allowed) {
  if (origin.empty() || origin == "null") {
    return false;
  }
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return a == origin; });
}

bool same_origin(std::string_view origin, std::string_view host) {
  if (host.empty()) {
    return false;
  }
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (origin.size() == scheme.size() + host.size() && origin.substr(0, scheme.size()) == scheme &&
        origin.substr(scheme.size()) == host) {
      return true;
    }
  }
  return false;
}

std::string session_cookie(std::string_view name, std::string_view token, long max_age_seconds,
                           bool secure) {
  std::string out;
  out.reserve(name.size() + token.size() + 80);
  out.append(name).append("=").append(token);
  out.append("; Path=/; HttpOnly; SameSite=Strict; Max-Age=")
      .append(std::to_string(max_age_seconds));
  if (secure) {
    out.append("; Secure");
  }
  return out;
}

}  // namespace onehop::api
