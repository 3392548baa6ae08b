#pragma once
// The one table of every key in onehop.toml: section, name, type, limits, secrecy, environment
// aliases, its single-value check and where it lands in onehop_config. The TOML reader, the
// environment layer, the docs test and the example-file test all walk this table, so a key added
// here is read from both places and must be documented.

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "config/units.hpp"

namespace onehop::config {

enum class value_kind {
  string,        // TOML string
  boolean,       // TOML boolean
  integer,       // TOML integer >= 0
  size,          // bytes: integer or "10MiB"
  seconds,       // duration in whole seconds: integer or "15m"
  milliseconds,  // duration: integer seconds or "500ms"
  number,        // TOML float or integer
  string_list,   // array of strings; comma-separated in the environment
  api_keys,      // array of {sha256, user} tables; `user:hex,...` in the environment
};

// A value read from the file or the environment, before it is stored.
using value = std::variant<std::string, bool, std::uint64_t, double, std::chrono::milliseconds,
                           std::vector<std::string>, std::vector<api_key>>;

struct key_spec {
  std::string_view section;
  std::string_view name;
  value_kind kind;
  // Inclusive bounds: the value for integers and sizes, milliseconds for durations, the length in
  // bytes for strings and in items for lists. Numbers are checked by `check`.
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  bool secret = false;  // never repeated in a message
  // Environment names consulted after ONEHOP_<SECTION>_<KEY>, in order.
  std::array<std::string_view, 2> aliases{};
  // The key's own rule (format, allowed values); may normalize. Returns why it is refused.
  std::optional<std::string> (*check)(value&) = nullptr;
  void (*assign)(onehop_config&, value&&) = nullptr;
};

std::span<const key_spec> all_keys();
std::span<const std::string_view> section_names();

// Index in all_keys(), or nullopt.
std::optional<std::size_t> find_key(std::string_view section, std::string_view name);

// ONEHOP_<SECTION>_<KEY>, upper case.
std::string env_name(const key_spec& key);

// "[section] key"
std::string key_label(const key_spec& key);

// The kind as a message names it: "a string", "a size (...)", ...
std::string_view expected_text(value_kind kind);

// Bounds, then the key's check. Returns why the value is refused.
std::optional<std::string> check_value(const key_spec& key, value& v);

// Converts an environment variable's text by the key's kind (no bounds yet).
reason_result<value> from_env_text(const key_spec& key, std::string_view text);

// `'text'` for messages: truncated, control bytes escaped.
std::string show(std::string_view text);

}  // namespace onehop::config
