#pragma once
// Sizes and durations as people write them in onehop.toml and the environment ("10MiB", "90s",
// "1h30m"). Pure string parsing; the grammar is in config/config.hpp. Errors are a short reason
// ("unknown unit 'Mb'"), which the caller prefixes with where the value came from.

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace onehop::config {

template <class T>
using reason_result = boost::system::result<T, std::string>;

// Bytes; overflow of 64 bits is an error.
reason_result<std::uint64_t> parse_size(std::string_view text);

// Milliseconds; overflow is an error. A bare number is seconds.
reason_result<std::chrono::milliseconds> parse_duration(std::string_view text);

// "8 MiB (8388608 bytes)" when a binary unit divides the value, else "123 bytes".
std::string format_size(std::uint64_t bytes);

// "90s", "15m", "500ms", "2h": the largest unit that divides the value.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace onehop::config
