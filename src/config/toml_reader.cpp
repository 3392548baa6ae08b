// The file layer: walks the TOML document against the key table. Every section and key must be
// known, every value must have its key's type and pass its key's rule.

#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "config/layers.hpp"

namespace onehop::config {
namespace {

using std::chrono::milliseconds;

std::string_view type_text(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::uint32_t line_of(const toml::source_region& region) {
  return region.begin.line;
}

// A conversion failure: the reason and the line it concerns (an array item may be on its own).
struct refusal {
  std::string reason;
  std::uint32_t line;
};

using converted = boost::system::result<value, refusal>;

converted refuse(std::string reason, const toml::node& node) {
  return converted(boost::system::in_place_error,
                   refusal{std::move(reason), line_of(node.source())});
}

converted wrong_type(const key_spec& key, const toml::node& node) {
  return refuse(std::string("expected ") + std::string(expected_text(key.kind)) + ", got " +
                    std::string(type_text(node)),
                node);
}

converted read_unsigned(const toml::node& node, std::int64_t& out) {
  out = **node.as_integer();
  if (out < 0) {
    return refuse(std::string("must not be negative, got ") + std::to_string(out), node);
  }
  return value(static_cast<std::uint64_t>(out));
}

converted read_duration(const key_spec& key, const toml::node& node) {
  if (node.is_integer()) {
    std::int64_t seconds = 0;
    if (auto n = read_unsigned(node, seconds); !n) {
      return n;
    }
    if (seconds > std::numeric_limits<std::int64_t>::max() / 1000) {
      return refuse("duration is too long", node);
    }
    return value(milliseconds(seconds * 1000));
  }
  if (node.is_string()) {
    const std::string& text = **node.as_string();
    auto d = parse_duration(text);
    if (!d) {
      return refuse(d.error() + ", got " + show(text), node);
    }
    return value(*d);
  }
  return wrong_type(key, node);
}

converted read_api_keys(const key_spec& key, const toml::node& node) {
  const toml::array* items = node.as_array();
  if (items == nullptr) {
    return wrong_type(key, node);
  }
  std::vector<api_key> keys;
  std::size_t index = 0;
  for (const toml::node& item : *items) {
    ++index;
    const std::string prefix = std::string("item ") + std::to_string(index) + ": ";
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      return refuse(
          prefix + "expected a table with sha256 and user, got " + std::string(type_text(item)),
          item);
    }
    api_key parsed;
    for (const auto& [name, field] : *table) {
      std::string* target = name.str() == "sha256" ? &parsed.sha256
                            : name.str() == "user" ? &parsed.user
                                                   : nullptr;
      if (target == nullptr) {
        return refuse(prefix + "unknown key " + show(name.str()) + " (known: sha256, user)", field);
      }
      if (!field.is_string()) {
        return refuse(prefix + std::string(name.str()) + ": expected a string, got " +
                          std::string(type_text(field)),
                      field);
      }
      *target = **field.as_string();
    }
    if (parsed.sha256.empty() || parsed.user.empty()) {
      return refuse(prefix + "needs both sha256 and user", item);
    }
    keys.push_back(std::move(parsed));
  }
  return value(std::move(keys));
}

converted read_value(const key_spec& key, const toml::node& node) {
  switch (key.kind) {
    case value_kind::string:
      if (!node.is_string()) {
        return wrong_type(key, node);
      }
      return value(std::string(**node.as_string()));
    case value_kind::boolean:
      if (!node.is_boolean()) {
        return wrong_type(key, node);
      }
      return value(**node.as_boolean());
    case value_kind::integer: {
      if (!node.is_integer()) {
        return wrong_type(key, node);
      }
      std::int64_t n = 0;
      return read_unsigned(node, n);
    }
    case value_kind::size: {
      if (node.is_integer()) {
        std::int64_t n = 0;
        return read_unsigned(node, n);
      }
      if (!node.is_string()) {
        return wrong_type(key, node);
      }
      const std::string& text = **node.as_string();
      auto bytes = parse_size(text);
      if (!bytes) {
        return refuse(bytes.error() + ", got " + show(text), node);
      }
      return value(*bytes);
    }
    case value_kind::seconds:
    case value_kind::milliseconds:
      return read_duration(key, node);
    case value_kind::number:
      if (node.is_floating_point()) {
        return value(**node.as_floating_point());
      }
      if (node.is_integer()) {
        return value(static_cast<double>(**node.as_integer()));
      }
      return wrong_type(key, node);
    case value_kind::string_list: {
      const toml::array* items = node.as_array();
      if (items == nullptr) {
        return wrong_type(key, node);
      }
      std::vector<std::string> strings;
      std::size_t index = 0;
      for (const toml::node& item : *items) {
        ++index;
        if (!item.is_string()) {
          return refuse(std::string("expected an array of strings, item ") + std::to_string(index) +
                            " is " + std::string(type_text(item)),
                        item);
        }
        strings.push_back(**item.as_string());
      }
      return value(std::move(strings));
    }
    case value_kind::api_keys:
      return read_api_keys(key, node);
  }
  return wrong_type(key, node);
}

std::string known_keys(std::string_view section) {
  std::string names;
  for (const key_spec& key : all_keys()) {
    if (key.section == section) {
      names += names.empty() ? "" : ", ";
      names += key.name;
    }
  }
  return names;
}

std::string known_sections() {
  std::string names;
  for (std::string_view s : section_names()) {
    names += names.empty() ? "[" : ", [";
    names += s;
    names += "]";
  }
  return names;
}

bool is_section(std::string_view name) {
  for (std::string_view s : section_names()) {
    if (s == name) {
      return true;
    }
  }
  return false;
}

config_error at_line(std::string_view source, std::uint32_t line, std::string_view what) {
  return {std::string(source) + ":" + std::to_string(line) + ": " + std::string(what)};
}

// One top-level entry or one key of a section, kept so that entries are checked in file order
// (toml::table iterates in key order) and the first problem reported is the first in the file.
struct entry {
  std::uint32_t line;
  std::string_view section;
  const toml::key* name;  // nullptr: a top-level entry that is not a section table
  const toml::node* node;
};

result<void> read_entry(const entry& e, std::string_view source, onehop_config& config,
                        provenance& origins) {
  if (e.name == nullptr) {
    if (is_section(e.section)) {
      return at_line(source, e.line,
                     std::string("[") + std::string(e.section) + "] must be a table, got " +
                         std::string(type_text(*e.node)));
    }
    if (!e.node->is_table()) {
      return at_line(source, e.line,
                     std::string("unknown key ") + show(e.section) +
                         std::string(" outside any section; every key belongs to a section: ") +
                         known_sections());
    }
    return at_line(source, e.line,
                   std::string("unknown section [") + std::string(e.section) +
                       "]; known: " + known_sections());
  }
  const std::string_view name = e.name->str();
  const auto index = find_key(e.section, name);
  if (!index) {
    return at_line(source, e.line,
                   std::string("[") + std::string(e.section) + "] unknown key " + show(name) +
                       std::string("; known: ") + known_keys(e.section));
  }
  const key_spec& key = all_keys()[*index];
  origin from{origin::layer::file, line_of(e.node->source()), {}};
  if (from.line == 0) {
    from.line = e.line;
  }
  auto converted_value = read_value(key, *e.node);
  if (!converted_value) {
    if (converted_value.error().line != 0) {
      from.line = converted_value.error().line;
    }
    return key_error(from, source, key, converted_value.error().reason);
  }
  if (auto why = check_value(key, *converted_value)) {
    return key_error(from, source, key, *why);
  }
  key.assign(config, std::move(*converted_value));
  origins.of[*index] = std::move(from);
  return {};
}

}  // namespace

result<void> read_toml(std::string_view text, std::string_view source, onehop_config& config,
                       provenance& origins) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return config_error{std::string(source) + ":" + std::to_string(e.source().begin.line) + ":" +
                        std::to_string(e.source().begin.column) + std::string(": invalid TOML: ") +
                        std::string(e.description())};
  }
  std::vector<entry> entries;
  for (const auto& [section_key, section_node] : root) {
    const std::string_view section = section_key.str();
    const std::uint32_t line = line_of(section_key.source());
    if (!section_node.is_table() || !is_section(section)) {
      entries.push_back({line, section, nullptr, &section_node});
      continue;
    }
    for (const auto& [name_key, node] : *section_node.as_table()) {
      entries.push_back({line_of(name_key.source()), section, &name_key, &node});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const entry& a, const entry& b) { return a.line < b.line; });
  for (const entry& e : entries) {
    if (auto r = read_entry(e, source, config, origins); !r) {
      return r;
    }
  }
  return {};
}

}  // namespace onehop::config
