// Fuzzes the PutBucketCors parser, its renderer (render -> parse must round-trip) and evaluation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/cors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = onehop::store::parse_cors_configuration(text);
  if (!config) {
    return 0;
  }
  const std::string rendered = onehop::store::render_cors_configuration(*config);
  auto again = onehop::store::parse_cors_configuration(rendered);
  if (!again || onehop::store::render_cors_configuration(*again) != rendered) {
    __builtin_trap();
  }
  const auto pre = onehop::store::evaluate_preflight(
      &*config, {"https://app.example.com", "PUT", "content-type, x-amz-date"});
  (void)pre;
  (void)onehop::store::actual_request_headers(&*config, "https://a.example.com", "GET");
  return 0;
}
