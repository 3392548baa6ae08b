// Fuzzes the Authorization-header parser and, through it, header verification: no crash, no
// sanitizer report, and every accepted header obeys the documented grammar.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sigv4/auth_parse.hpp"
#include "sigv4/verify.hpp"

namespace sigv4 = onehop::sigv4;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sigv4::parse_limits limits;
  const auto claims = sigv4::parse_authorization_header(text, limits);
  if (claims) {
    if (text.size() > limits.authorization_header_bytes || claims->credential.date.size() != 8 ||
        claims->signed_header_names.empty() ||
        claims->signed_header_names.size() > limits.signed_headers) {
      __builtin_trap();
    }
    for (std::size_t i = 1; i < claims->signed_header_names.size(); ++i) {
      if (!(claims->signed_header_names[i - 1] < claims->signed_header_names[i])) {
        __builtin_trap();
      }
    }
  }

  // The same bytes as the Authorization header of a request the verifier has to judge.
  static sigv4::verifier verifier({},
                                  [](std::string_view) -> sigv4::result<sigv4::credentials_view> {
                                    return sigv4::credentials_view{"AKIDEXAMPLE", "secret", ""};
                                  });
  const std::vector<sigv4::header_field> headers = {
      {"Host", "example.test"},
      {"X-Amz-Date", "20130524T000000Z"},
      {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"},
      {"Authorization", text},
  };
  const auto now = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
  const auto r = verifier.verify({"PUT", "/b/k", "", headers, {}}, std::chrono::sys_seconds{now});
  (void)r;
  return 0;
}
