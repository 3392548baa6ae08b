// Fuzzes the S3 request classifier: first byte picks the method, then "host\ntarget".
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/names.hpp"
#include "store/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static constexpr std::array<std::string_view, 7> methods{"GET",  "PUT",     "HEAD", "DELETE",
                                                           "POST", "OPTIONS", "PATCH"};
  const std::string_view method = methods[data[0] % methods.size()];
  const bool copy = (data[0] & 0x80) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t nl = rest.find('\n');
  const std::string_view host =
      nl == std::string_view::npos ? std::string_view{} : rest.substr(0, nl);
  const std::string_view target = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
  static const std::array<std::string, 2> endpoints{"localhost", "s3.example.test"};
  auto r = onehop::store::classify({method, target, host, copy}, endpoints);
  if (r) {
    // Invariants: a key is never longer than the cap; bucket-level ops carry no key.
    if (r->key.size() > onehop::store::max_key_bytes) {
      __builtin_trap();
    }
    if (r->op == onehop::store::operation::upload_part &&
        (!r->part_number || *r->part_number < 1 || *r->part_number > 10000)) {
      __builtin_trap();
    }
    (void)onehop::store::to_string(r->op);
  }
  return 0;
}
