#pragma once
// SigV4 timestamps, parsed and formatted with the std::chrono civil calendar (no libc time zone
// functions, no locale, no clock: `now` is always the caller's).
//
// Accepted grammars (strict: exact length, digits only where digits are expected, no spaces):
//   amz date  `YYYYMMDDTHHMMSSZ`                  (X-Amz-Date, x-amz-date)
//   date stamp `YYYYMMDD`                         (credential scope)
//   ISO 8601  `YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction of 1..9 digits before the `Z`
//             (`.000Z`, as in a POST policy's `expiration`); the fraction is truncated.
// Years 0000..9999; month 01..12; day valid for that month (leap years per the Gregorian rules);
// hour 00..23, minute 00..59, second 00..59 (no leap second). Errors: errc::invalid_argument.

#include <chrono>
#include <string>
#include <string_view>

#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

inline constexpr std::size_t amz_date_size = 16;    // YYYYMMDDTHHMMSSZ
inline constexpr std::size_t date_stamp_size = 8;   // YYYYMMDD
inline constexpr std::size_t iso8601_size = 20;     // YYYY-MM-DDTHH:MM:SSZ
inline constexpr std::size_t iso8601_ms_size = 24;  // YYYY-MM-DDTHH:MM:SS.mmmZ

result<std::chrono::sys_seconds> parse_amz_date(std::string_view text);
result<std::chrono::sys_days> parse_date_stamp(std::string_view text);
result<std::chrono::sys_seconds> parse_iso8601(std::string_view text);

// True when `t` falls in years 0000..9999, the range the formatters can write.
bool is_formattable(std::chrono::sys_seconds t) noexcept;

// Formatters. Precondition: is_formattable(t) (a violation throws std::out_of_range: it is a bug,
// the time comes from the caller's clock, never from the network).
// `out` must have room for the documented size; nothing is NUL-terminated.
void format_amz_date(std::chrono::sys_seconds t, char* out);    // amz_date_size bytes
void format_date_stamp(std::chrono::sys_seconds t, char* out);  // date_stamp_size bytes
void append_amz_date(std::string& out, std::chrono::sys_seconds t);
void append_iso8601(std::string& out, std::chrono::sys_seconds t, bool with_millis = false);
std::string format_amz_date(std::chrono::sys_seconds t);
std::string format_iso8601(std::chrono::sys_seconds t, bool with_millis = false);

}  // namespace onehop::sigv4
