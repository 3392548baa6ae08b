#include "config/units.hpp"

#include <array>
#include <limits>

namespace onehop::config {
namespace {

struct unit {
  std::string_view name;
  std::uint64_t factor;
};

// "B" first so that a bare number and "B" mean the same; SI units are powers of 1000, IEC of 1024.
constexpr std::array<unit, 10> size_units{{{"B", 1},
                                           {"KB", 1000},
                                           {"kB", 1000},
                                           {"MB", 1000 * 1000},
                                           {"GB", 1000ull * 1000 * 1000},
                                           {"TB", 1000ull * 1000 * 1000 * 1000},
                                           {"KiB", 1ull << 10},
                                           {"MiB", 1ull << 20},
                                           {"GiB", 1ull << 30},
                                           {"TiB", 1ull << 40}}};

constexpr std::array<unit, 5> duration_units{
    {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 60 * 60 * 1000}, {"d", 24 * 60 * 60 * 1000}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void skip_spaces(std::string_view text, std::size_t& i) {
  while (i < text.size() && text[i] == ' ') {
    ++i;
  }
}

template <class T>
reason_result<T> failure(std::string reason) {
  return reason_result<T>(boost::system::in_place_error, std::move(reason));
}

// Reads 1*DIGIT at i into `out`; false on no digit or 64-bit overflow.
bool read_number(std::string_view text, std::size_t& i, std::uint64_t& out, bool& overflow) {
  const std::size_t start = i;
  out = 0;
  overflow = false;
  while (i < text.size() && is_digit(text[i])) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      overflow = true;
    } else {
      out = out * 10 + digit;
    }
    ++i;
  }
  return i > start;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return false;
  }
  out = a * b;
  return true;
}

}  // namespace

reason_result<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  skip_spaces(text, i);
  std::uint64_t number = 0;
  bool overflow = false;
  if (!read_number(text, i, number, overflow)) {
    return failure<std::uint64_t>(
        "expected a size such as 10485760, \"10MiB\" or \"1 GB\" (a whole number, then a unit)");
  }
  if (overflow) {
    return failure<std::uint64_t>("size does not fit in 64 bits");
  }
  if (i < text.size() && text[i] == '.') {
    return failure<std::uint64_t>("fractions are not accepted; use a smaller unit (\"1536MiB\")");
  }
  skip_spaces(text, i);
  const std::size_t unit_start = i;
  while (i < text.size() && is_alpha(text[i])) {
    ++i;
  }
  const std::string_view name = text.substr(unit_start, i - unit_start);
  skip_spaces(text, i);
  if (i != text.size()) {
    return failure<std::uint64_t>("unexpected characters after the size");
  }
  if (name.empty()) {
    return number;
  }
  for (const unit& u : size_units) {
    if (u.name == name) {
      std::uint64_t bytes = 0;
      if (!multiply(number, u.factor, bytes)) {
        return failure<std::uint64_t>("size does not fit in 64 bits");
      }
      return bytes;
    }
  }
  return failure<std::uint64_t>(std::string("unknown size unit '") + std::string(name) +
                                "' (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
}

reason_result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using ms = std::chrono::milliseconds;
  std::size_t i = 0;
  skip_spaces(text, i);
  if (i == text.size()) {
    return failure<ms>("expected a duration such as 30, \"90s\", \"15m\" or \"1h30m\"");
  }
  std::uint64_t total = 0;
  bool first = true;
  while (i < text.size()) {
    std::uint64_t number = 0;
    bool overflow = false;
    if (!read_number(text, i, number, overflow)) {
      return failure<ms>("expected a duration such as 30, \"90s\", \"15m\" or \"1h30m\"");
    }
    if (overflow) {
      return failure<ms>("duration is too long");
    }
    if (i < text.size() && text[i] == '.') {
      return failure<ms>("fractions are not accepted; use a smaller unit (\"1500ms\", \"90m\")");
    }
    skip_spaces(text, i);
    const std::size_t unit_start = i;
    while (i < text.size() && is_alpha(text[i])) {
      ++i;
    }
    const std::string_view name = text.substr(unit_start, i - unit_start);
    skip_spaces(text, i);
    std::uint64_t factor = 0;
    if (name.empty()) {
      // A bare number is seconds, and only on its own: "1h30" is more likely a mistake.
      if (!first || i != text.size()) {
        return failure<ms>("every number in a duration needs a unit (ms, s, m, h, d)");
      }
      factor = 1000;
    }
    for (const unit& u : duration_units) {
      if (u.name == name) {
        factor = u.factor;
      }
    }
    if (factor == 0) {
      return failure<ms>(std::string("unknown duration unit '") + std::string(name) +
                         "' (use ms, s, m, h or d)");
    }
    std::uint64_t part = 0;
    if (!multiply(number, factor, part) ||
        part > static_cast<std::uint64_t>(std::numeric_limits<ms::rep>::max()) - total) {
      return failure<ms>("duration is too long");
    }
    total += part;
    first = false;
  }
  return ms(static_cast<ms::rep>(total));
}

std::string format_size(std::uint64_t bytes) {
  // IEC units from the largest, so that 5 GiB prints as "5 GiB", not "5120 MiB".
  for (auto it = size_units.rbegin(); it != size_units.rend(); ++it) {
    if (it->factor >= 1024 && it->name.back() == 'B' && it->name.size() == 3 && bytes != 0 &&
        bytes % it->factor == 0) {
      return std::to_string(bytes / it->factor) + " " + std::string(it->name) + " (" +
             std::to_string(bytes) + " bytes)";
    }
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::string format_duration(std::chrono::milliseconds d) {
  const auto count = static_cast<std::uint64_t>(d.count());
  if (count == 0) {
    return "0s";
  }
  for (auto it = duration_units.rbegin(); it != duration_units.rend(); ++it) {
    if (count % it->factor == 0) {
      return std::to_string(count / it->factor) + std::string(it->name);
    }
  }
  return std::to_string(count) + "ms";
}

}  // namespace onehop::config
