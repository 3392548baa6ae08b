#pragma once
// When to try a storage request again, and how long to wait first. Pure: the random draw and
// the clock are parameters.
//
// Backoff: before attempt n+1 (after n failed attempts) wait a random time in [d/2, d] with
// d = min(cap, base * 2^(n-1)) ("equal jitter": spreads a burst of clients without ever
// retrying at once). A Retry-After from the server (429, 503) raises the wait to what it asks,
// up to max_retry_after.

#include <chrono>
#include <optional>
#include <string_view>

namespace onehop::s3client {

struct retry_policy {
  unsigned max_attempts = 4;  // 1: no retries
  std::chrono::milliseconds base{50};
  std::chrono::milliseconds cap{2000};
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(20)};
};

// `failed_attempts` >= 1; `unit_random` in [0, 1].
std::chrono::milliseconds backoff_delay(const retry_policy& policy, unsigned failed_attempts,
                                        double unit_random,
                                        std::optional<std::chrono::milliseconds> retry_after);

// Retry-After (RFC 9110 10.2.3): delta-seconds (1*DIGIT) or an IMF-fixdate, relative to `now`.
// A date in the past is 0; anything else unparseable is nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::sys_seconds now);

}  // namespace onehop::s3client
