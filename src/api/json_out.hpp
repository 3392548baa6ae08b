#pragma once
// Writing JSON response bodies by appending to a std::string: the hot path builds its answer
// with these and nothing else allocates (only the output string grows, and a reused string with
// enough capacity does not).
//
// Objects and arrays are written by hand, braces and commas included:
//   out += '{';
//   append_json_key(out, "uploadId");  append_json_string(out, id);   out += ',';
//   append_json_key(out, "size");      append_json_number(out, size);
//   out += '}';
// Every function here produces valid JSON for any input bytes.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace onehop::api {

// Appends `s` as a JSON string, quotes included (RFC 8259): `"` and `\` escaped, control
// characters U+0000..U+001F escaped (\b \f \n \r \t, else \u00XX), valid UTF-8 copied as is, and
// each maximal ill-formed UTF-8 subsequence (Unicode 15, §3.9, as WHATWG and Python decode)
// replaced by U+FFFD, so the output is valid UTF-8 and valid JSON whatever `s` holds.
void append_json_string(std::string& out, std::string_view s);

// Appends `"key":` (the key escaped like append_json_string).
void append_json_key(std::string& out, std::string_view key);

// Appends a decimal integer. JSON numbers above 2^53 lose precision in JavaScript: callers keep
// sizes and counts below that (requests refuse larger sizes).
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);
// Other integer types, without ambiguity between the two overloads above.
inline void append_json_number(std::string& out, int value) {
  append_json_number(out, static_cast<std::int64_t>(value));
}
inline void append_json_number(std::string& out, unsigned value) {
  append_json_number(out, static_cast<std::uint64_t>(value));
}

inline void append_json_bool(std::string& out, bool value) {
  out.append(value ? "true" : "false");
}
inline void append_json_null(std::string& out) {
  out.append("null");
}

// RFC 3339 UTC timestamp with seconds: "2026-11-28T13:15:00Z". Years outside 0000..9999 cannot
// be written in this form and are clamped to the first or last second of that range.
void append_rfc3339(std::string& out, std::chrono::sys_seconds t);
std::string format_rfc3339(std::chrono::sys_seconds t);

// append_rfc3339 as a JSON string: "\"2026-11-28T13:15:00Z\"".
void append_json_time(std::string& out, std::chrono::sys_seconds t);

}  // namespace onehop::api
