#pragma once
// The steps of parse(), in order: read the TOML file over the defaults, apply the environment,
// check the rules that involve several keys. Each step records where every key's value came
// from, so a message can point at the file line or the variable that set it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/schema.hpp"

namespace onehop::config {

struct origin {
  enum class layer { defaults, file, environment };
  layer from = layer::defaults;
  std::uint32_t line = 0;  // file: 1-based
  std::string variable;    // environment: the variable's name
};

// Where each key of all_keys() (same index) got its value.
struct provenance {
  std::vector<origin> of = std::vector<origin>(all_keys().size());
};

// "onehop.toml:12", "environment variable ONEHOP_API_LISTEN", or `source` for a default.
std::string where(const origin& from, std::string_view source);

// "<where>: [section] key: <what>"
config_error key_error(const origin& from, std::string_view source, const key_spec& key,
                       std::string_view what);

result<void> read_toml(std::string_view text, std::string_view source, onehop_config& config,
                       provenance& origins);

result<void> apply_environment(const env_lookup& env, std::string_view source,
                               onehop_config& config, provenance& origins);

result<void> validate(const onehop_config& config, const provenance& origins,
                      std::string_view source);

}  // namespace onehop::config
