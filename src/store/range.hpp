#pragma once
// The Range header of GET/HEAD object, evaluated against the object's size (RFC 9110 §14, as
// S3 applies it). Pure.
//
// Accepted grammar (after trimming spaces and tabs):  "bytes" "=" spec   (unit case-insensitive)
//   spec = first "-" last      both inclusive, first <= last; last is clamped to size - 1
//        | first "-"           from first to the end
//        | "-" suffix          the last `suffix` bytes (all of them if suffix >= size)
// Numbers are ASCII digits; values beyond 2^64-1 saturate.
//
// Outcomes, as S3: a header that does not follow the grammar, or asks for several ranges, is
// ignored (the whole object, 200); first >= size, a zero suffix, or any range of an empty object
// is unsatisfiable (416 InvalidRange, with "Content-Range: bytes */size"); otherwise 206.

#include <cstdint>
#include <string>
#include <string_view>

namespace onehop::store {

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive

  std::uint64_t length() const noexcept { return last - first + 1; }
  friend bool operator==(const byte_range&, const byte_range&) = default;
};

enum class range_kind {
  full,           // no usable Range: send everything with 200
  partial,        // send `range` with 206
  unsatisfiable,  // 416 InvalidRange
};

struct range_decision {
  range_kind kind = range_kind::full;
  byte_range range;  // meaningful for partial only
};

inline constexpr std::size_t max_range_header_bytes = 256;

// Headers longer than max_range_header_bytes are ignored (full).
range_decision evaluate_range(std::string_view header, std::uint64_t size) noexcept;

// "bytes FIRST-LAST/SIZE" for a 206 answer.
std::string content_range(const byte_range& r, std::uint64_t size);

// "bytes */SIZE" for a 416 answer.
std::string unsatisfied_content_range(std::uint64_t size);

}  // namespace onehop::store
