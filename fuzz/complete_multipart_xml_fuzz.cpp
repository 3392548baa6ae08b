// Fuzzes the request XML parsers: CompleteMultipartUpload, Delete, CreateBucketConfiguration.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parts = onehop::store::xml::parse_complete_multipart_upload(text)) {
    for (const auto& p : *parts) {
      if (p.part_number < 1 || p.part_number > 10000) {
        __builtin_trap();
      }
    }
  }
  if (auto del = onehop::store::xml::parse_delete(text)) {
    if (del->objects.empty() || del->objects.size() > onehop::store::xml::max_delete_keys) {
      __builtin_trap();
    }
    // Escaping any parsed key must not crash.
    std::string out;
    for (const auto& o : del->objects) {
      onehop::store::xml::append_escaped(out, o.key);
      onehop::store::xml::append_url_encoded(out, o.key);
    }
  }
  (void)onehop::store::xml::parse_create_bucket_configuration(text);
  return 0;
}
