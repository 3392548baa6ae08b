// Fuzzes the image probe (magic numbers, then stb_image, libwebp or libavif on the header) with
// every declared format, as a whole object and as the first bytes of a larger one: no crash, no
// sanitizer report, and every accepted image is of the declared format with dimensions inside
// the limits.

#include <cstddef>
#include <cstdint>
#include <span>

#include "api/image_probe.hpp"

namespace api = onehop::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> head(data, size);
  const auto sniffed = api::sniff(head);
  for (auto declared : {api::image_format::jpeg, api::image_format::png, api::image_format::gif,
                        api::image_format::webp, api::image_format::avif}) {
    for (const bool complete : {true, false}) {
      const auto r = api::probe_image(declared, head, complete);
      if (!r) {
        if (r.error().code != api::errc::verification_failed || r.error().message.empty()) {
          __builtin_trap();
        }
        continue;
      }
      if (r->format != declared || sniffed != declared || r->width == 0 || r->height == 0 ||
          r->width > api::max_image_side || r->height > api::max_image_side ||
          std::uint64_t{r->width} * r->height > api::max_image_pixels) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
