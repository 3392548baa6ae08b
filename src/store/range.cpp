#include "store/range.hpp"

#include <limits>
#include <optional>

namespace onehop::store {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Digits only, at least one; saturates instead of overflowing.
std::optional<std::uint64_t> parse_number(std::string_view s) noexcept {
  if (s.empty()) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = (v > (max - d) / 10) ? max : v * 10 + d;
  }
  return v;
}

bool iequals_bytes(std::string_view s) noexcept {
  constexpr std::string_view unit = "bytes";
  if (s.size() != unit.size()) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != unit[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

range_decision evaluate_range(std::string_view header, std::uint64_t size) noexcept {
  const range_decision full{};
  const range_decision unsatisfiable{range_kind::unsatisfiable, {}};
  if (header.size() > max_range_header_bytes) {
    return full;
  }
  header = trim(header);
  const auto eq = header.find('=');
  if (eq == std::string_view::npos || !iequals_bytes(trim(header.substr(0, eq)))) {
    return full;
  }
  const std::string_view spec = trim(header.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) {
    return full;
  }
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return full;
  }
  const std::string_view first_text = trim(spec.substr(0, dash));
  const std::string_view last_text = trim(spec.substr(dash + 1));
  if (first_text.empty()) {
    const auto suffix = parse_number(last_text);
    if (!suffix) {
      return full;
    }
    if (*suffix == 0 || size == 0) {
      return unsatisfiable;
    }
    const std::uint64_t n = *suffix < size ? *suffix : size;
    return {range_kind::partial, {size - n, size - 1}};
  }
  const auto first = parse_number(first_text);
  if (!first) {
    return full;
  }
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  if (!last_text.empty()) {
    const auto parsed = parse_number(last_text);
    if (!parsed || *parsed < *first) {
      return full;
    }
    last = *parsed;
  }
  if (*first >= size) {
    return unsatisfiable;
  }
  return {range_kind::partial, {*first, last < size - 1 ? last : size - 1}};
}

std::string content_range(const byte_range& r, std::uint64_t size) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
         std::to_string(size);
}

std::string unsatisfied_content_range(std::uint64_t size) {
  return "bytes */" + std::to_string(size);
}

}  // namespace onehop::store
