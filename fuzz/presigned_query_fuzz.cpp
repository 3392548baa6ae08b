// Fuzzes the presigned-query parser and presigned verification: no crash, no sanitizer report,
// and accepted claims respect the documented ranges.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sigv4/auth_parse.hpp"
#include "sigv4/verify.hpp"

namespace sigv4 = onehop::sigv4;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  const sigv4::parse_limits limits;
  const auto claims = sigv4::parse_presigned_query(query, limits);
  if (claims) {
    if (query.size() > limits.presigned_query_bytes || claims->expires.count() < 1 ||
        claims->expires.count() > 604800 || claims->amz_date.size() != 16) {
      __builtin_trap();
    }
  }

  static sigv4::verifier verifier(
      {}, [](std::string_view) -> sigv4::result<sigv4::credentials_view> {
        return sigv4::credentials_view{"AKIDEXAMPLE", "secret", "token"};
      });
  const std::vector<sigv4::header_field> headers = {{"Host", "example.test"}};
  const auto now = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
  const auto r =
      verifier.verify({"GET", "/b/k%20x", query, headers, {}}, std::chrono::sys_seconds{now});
  (void)r;
  return 0;
}
