#include "s3client/retry.hpp"

#include <algorithm>
#include <charconv>

#include "s3client/xml.hpp"

namespace onehop::s3client {

using std::chrono::milliseconds;

milliseconds backoff_delay(const retry_policy& policy, unsigned failed_attempts, double unit_random,
                           std::optional<milliseconds> retry_after) {
  // Doubling past 2^20 overflows nothing but is far beyond any cap; stop shifting there.
  const unsigned shift = std::min(failed_attempts == 0 ? 0u : failed_attempts - 1, 20u);
  const auto full = std::min(policy.cap, milliseconds(policy.base.count() << shift));
  const double unit = std::clamp(unit_random, 0.0, 1.0);
  auto delay = full / 2 + milliseconds(static_cast<milliseconds::rep>(
                              static_cast<double>((full - full / 2).count()) * unit));
  if (retry_after) {
    delay = std::max(delay, std::min(*retry_after, policy.max_retry_after));
  }
  return delay;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::sys_seconds now) {
  if (!value.empty() && value.size() <= 9 &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return std::chrono::seconds(seconds);
  }
  if (auto date = xml::parse_http_date(value)) {
    return *date > now ? milliseconds(*date - now) : milliseconds(0);
  }
  return std::nullopt;
}

}  // namespace onehop::s3client
