#pragma once
// The API's Prometheus metrics. Every series has a fixed, small label set known at compile time,
// so an update is one relaxed atomic increment at an index computed from enums: no string
// hashing, no map, no lock on the hot path. render() writes the text exposition format (0.0.4).
//
// Series:
//   onehop_http_requests_total{route,method,status}          counter
//   onehop_http_request_duration_seconds{route}              histogram (latency_buckets)
//   onehop_uploads_started_total{method}                     counter (put, post, multipart)
//   onehop_uploads_completed_total                           counter
//   onehop_uploads_rejected_total{reason}                    counter
//   onehop_rate_limited_total{scope}                         counter (user, ip)
//   onehop_pending_swept_total                               counter
// Status codes outside tracked_statuses are counted as status="other".

#include <array>
#include <atomic>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "api/policy.hpp"
#include "api/routes.hpp"

namespace onehop::api {

enum class rate_scope : std::uint8_t { user, ip };

enum class reject_reason : std::uint8_t {
  invalid_request,      // bad metadata, missing checksum, bad method
  unsupported_type,     // 415
  too_large,            // 413
  quota_exceeded,       // 409 at start
  verification_failed,  // 422 at completion: the object was deleted
};
inline constexpr std::size_t reject_reason_count = 5;

// The reason for an upload refused with `code` (conflict -> quota_exceeded; anything that is not
// one of the reasons above -> invalid_request).
reject_reason reject_reason_for(errc code) noexcept;

enum class http_method : std::uint8_t { get, head, post, put, delete_, options, other };
inline constexpr std::size_t http_method_count = 7;
http_method to_http_method(boost::beast::http::verb v) noexcept;

inline constexpr std::array<unsigned, 19> tracked_statuses{
    200, 201, 204, 206, 301, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 431, 500, 503};

// Upper bounds in seconds; the +Inf bucket comes after them.
inline constexpr std::array<std::string_view, 14> latency_bucket_labels{
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025",  "0.05",    "0.1",    "0.25",  "0.5",    "1",     "2.5"};
inline constexpr std::array<std::int64_t, 14> latency_bucket_ns{
    100'000,    250'000,    500'000,     1'000'000,   2'500'000,   5'000'000,     10'000'000,
    25'000'000, 50'000'000, 100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000};

class metrics_registry {
 public:
  metrics_registry() = default;
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  // One answered request: its route, method, status and how long it took.
  void observe_request(route r, http_method m, unsigned status,
                       std::chrono::steady_clock::duration elapsed) noexcept;
  void observe_request(route r, boost::beast::http::verb v, unsigned status,
                       std::chrono::steady_clock::duration elapsed) noexcept {
    observe_request(r, to_http_method(v), status, elapsed);
  }

  void upload_started(upload_method m) noexcept;
  void upload_completed() noexcept;
  void upload_rejected(reject_reason reason) noexcept;
  void rate_limited(rate_scope scope) noexcept;
  void pending_swept(std::uint64_t n = 1) noexcept;

  // The Prometheus text of every series. Safe while other threads update: each number is read
  // atomically; a histogram's _count equals its +Inf bucket.
  std::string render() const;

 private:
  static constexpr std::size_t status_slots = tracked_statuses.size() + 1;   // + "other"
  static constexpr std::size_t bucket_slots = latency_bucket_ns.size() + 1;  // + +Inf
  using counter = std::atomic<std::uint64_t>;

  struct histogram {
    std::array<counter, bucket_slots> buckets{};  // not cumulative; render() sums
    counter sum_ns{0};
  };

  std::array<counter, route_count * http_method_count * status_slots> requests_{};
  std::array<histogram, route_count> durations_{};
  std::array<counter, 3> started_{};
  counter completed_{0};
  std::array<counter, reject_reason_count> rejected_{};
  std::array<counter, 2> rate_limited_{};
  counter swept_{0};
};

}  // namespace onehop::api
