// Fuzzes the parsers of wire text that canonicalization and the auth parsers build on: the path
// and query as received, percent-decoding, base64, UTF-8 validation, both date formats, endpoint
// URLs and keys.
// Round-trip properties are checked where they must hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sigv4/canonical.hpp"
#include "sigv4/encoding.hpp"
#include "sigv4/signer.hpp"
#include "sigv4/time.hpp"

using namespace onehop::sigv4;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  canonical_scratch scratch;
  std::string out;

  (void)append_canonical_uri_from_wire(out, input, scratch);
  out.clear();
  (void)append_canonical_query_from_wire(out, input, scratch);
  out.clear();
  (void)append_canonical_query_from_wire(out, input, scratch, false, false);

  // Encoding then decoding gives back the input, whatever its bytes.
  for (bool keep_slash : {true, false}) {
    const std::string encoded = uri_encode(input, keep_slash);
    auto decoded = percent_decode(encoded);
    if (!decoded || *decoded != input) {
      std::abort();
    }
  }
  (void)percent_decode(input, true);

  const std::string b64 = base64_encode(input);
  auto back = base64_decode(b64);
  if (!back || *back != input) {
    std::abort();
  }
  (void)base64_decode(input);
  (void)is_valid_utf8(input);

  if (auto t = parse_amz_date(input); t && format_amz_date(*t) != input) {
    std::abort();  // a parsed X-Amz-Date must format back to the same text
  }
  (void)parse_iso8601(input);
  (void)parse_endpoint(input);
  (void)validate_key(input);
  (void)parse_date_stamp(input);
  return 0;
}
