// Fuzz target for the Range header evaluator and the conditional-request helpers (both parse
// client header values). Input: 8 bytes of object size, then the header text.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "store/conditions.hpp"
#include "store/range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t object_size = 0;
  if (size >= 8) {
    std::memcpy(&object_size, data, 8);
    data += 8;
    size -= 8;
  }
  // Keep small sizes common so the clamping paths are exercised.
  if (object_size & 1) {
    object_size = (object_size >> 1) % 4096;
  }
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto d = onehop::store::evaluate_range(header, object_size);
  if (d.kind == onehop::store::range_kind::partial) {
    // Invariants of a 206 answer.
    if (d.range.first > d.range.last || d.range.last >= object_size) {
      std::abort();
    }
  }
  if (d.kind == onehop::store::range_kind::unsatisfiable && header.size() == 0) {
    std::abort();
  }
  onehop::store::etag_list_matches(header, "abc");
  if (auto t = onehop::store::parse_http_date(header)) {
    // What we format must parse back to the same instant.
    if (onehop::store::parse_http_date(onehop::store::format_http_date(*t)) != t) {
      std::abort();
    }
  }
  onehop::store::conditional_headers h{header, header, header, header};
  onehop::store::evaluate_read_conditions(h, "abc", onehop::store::timestamp{});
  return 0;
}
