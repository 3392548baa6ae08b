#pragma once
// Helpers for the config tests: an environment from a map, and parse() results as text.

#include <map>
#include <string>

#include "config/config.hpp"

namespace onehop::config::testing {

inline env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

inline const env_lookup no_env = env_of({});

// The error message of parsing `text` as onehop.toml, or "" when it parsed.
inline std::string error_of(std::string_view text, const env_lookup& env = no_env) {
  auto r = parse(text, "onehop.toml", env);
  return r ? std::string() : r.error().message;
}

}  // namespace onehop::config::testing
