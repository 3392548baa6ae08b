// The environment layer: ONEHOP_<SECTION>_<KEY> for every key, then the AWS-convention aliases in
// the key table. It wins over the file.

#include <cstdlib>

#include "config/layers.hpp"

namespace onehop::config {

result<void> apply_environment(const env_lookup& env, std::string_view source,
                               onehop_config& config, provenance& origins) {
  const auto keys = all_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const key_spec& key = keys[i];
    std::vector<std::string> names{env_name(key)};
    for (std::string_view alias : key.aliases) {
      if (!alias.empty()) {
        names.emplace_back(alias);
      }
    }
    for (const std::string& name : names) {
      std::optional<std::string> text = env(name);
      if (!text) {
        continue;
      }
      const origin from{origin::layer::environment, 0, name};
      auto parsed = from_env_text(key, *text);
      if (!parsed) {
        return key_error(from, source, key, parsed.error());
      }
      if (auto why = check_value(key, *parsed)) {
        return key_error(from, source, key, *why);
      }
      key.assign(config, std::move(*parsed));
      origins.of[i] = from;
      break;
    }
  }
  return {};
}

env_lookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* text = std::getenv(std::string(name).c_str());
    if (text == nullptr || *text == '\0') {
      return std::nullopt;
    }
    return std::string(text);
  };
}

}  // namespace onehop::config
