// Fuzzes the POST policy parser (base64 -> JSON -> conditions) and the form evaluator: no crash,
// no sanitizer report, and anything parsed can be evaluated and serialized again.
// Input: the policy's base64 text, optionally followed by "\n" and form lines "name=value".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sigv4/encoding.hpp"
#include "sigv4/post_policy.hpp"

namespace sigv4 = onehop::sigv4;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  const std::string_view policy_text = text.substr(0, nl);
  std::vector<sigv4::form_field> form;
  if (nl != std::string_view::npos) {
    std::string_view rest = text.substr(nl + 1);
    while (!rest.empty() && form.size() < 64) {
      const std::size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      const std::size_t eq = line.find('=');
      form.push_back({line.substr(0, eq),
                      eq == std::string_view::npos ? std::string_view{} : line.substr(eq + 1)});
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
  }

  // Both the text as given and, so the fuzzer reaches the JSON layer, its base64.
  for (const std::string& candidate :
       {std::string(policy_text), sigv4::base64_encode(policy_text)}) {
    const auto policy = sigv4::parse_post_policy(candidate);
    if (!policy) {
      continue;
    }
    const auto now =
        std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{2013} / 5 / 24}};
    const auto decision = sigv4::evaluate_post_policy(*policy, form, "bucket", "a.png", now);
    if (decision && decision->length_range.min > decision->length_range.max) {
      (void)sigv4::check_content_length(decision->length_range, 0);
    }
    // Strings from Boost.JSON are valid UTF-8, so re-serializing must succeed unless the
    // expiration is outside what the formatter writes.
    const auto json = sigv4::serialize_post_policy(*policy);
    (void)json;
  }
  return 0;
}
