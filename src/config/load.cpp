#include <cerrno>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "config/layers.hpp"

namespace onehop::config {
namespace {

std::string io_error(const std::filesystem::path& file, int error) {
  return "cannot read config file '" + file.string() + std::string("': ") +
         std::generic_category().message(error);
}

}  // namespace

void throw_exception_from_error(const config_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

result<onehop_config> parse(std::string_view toml_text, std::string_view source,
                            const env_lookup& env) {
  if (toml_text.size() > max_config_bytes) {
    return config_error{std::string(source) + ": the file is larger than " +
                        std::to_string(max_config_bytes) + " bytes"};
  }
  onehop_config config;
  provenance origins;
  if (auto r = read_toml(toml_text, source, config, origins); !r) {
    return r.error();
  }
  if (auto r = apply_environment(env, source, config, origins); !r) {
    return r.error();
  }
  if (auto r = validate(config, origins, source); !r) {
    return r.error();
  }
  return config;
}

result<onehop_config> load(const std::filesystem::path& file, const env_lookup& env) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) {
    return config_error{io_error(file, errno)};
  }
  // One byte past the limit is enough to tell that the file is too large.
  std::string text(max_config_bytes + 1, '\0');
  const std::size_t got = std::fread(text.data(), 1, text.size(), f.get());
  if (std::ferror(f.get())) {
    return config_error{io_error(file, errno)};
  }
  text.resize(got);
  return parse(text, file.string(), env);
}

result<onehop_config> defaults_with_env(const env_lookup& env) {
  return parse("", "defaults", env);
}

}  // namespace onehop::config
