// Fuzzes the bucket policy parser and its evaluation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/bucket_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = onehop::store::parse_bucket_policy(text, "images");
  if (policy) {
    if (policy->text != text || policy->grants.empty()) {
      __builtin_trap();
    }
    (void)onehop::store::allows_anonymous_read(*policy, "public/a.jpg");
  }
  return 0;
}
