#include "api/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace onehop::api {
namespace {

constexpr std::size_t status_slot_other = tracked_statuses.size();

// Status code -> slot, for every code 0..599 (a table lookup instead of a search per request).
constexpr std::array<std::uint8_t, 600> status_slots_table = [] {
  std::array<std::uint8_t, 600> t{};
  for (auto& slot : t) {
    slot = static_cast<std::uint8_t>(status_slot_other);
  }
  for (std::size_t i = 0; i < tracked_statuses.size(); ++i) {
    t[tracked_statuses[i]] = static_cast<std::uint8_t>(i);
  }
  return t;
}();

std::size_t status_slot(unsigned status) noexcept {
  return status < status_slots_table.size() ? status_slots_table[status] : status_slot_other;
}

constexpr std::array<std::string_view, http_method_count> method_labels{
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "other"};
constexpr std::array<std::string_view, 3> upload_method_labels{"put", "post", "multipart"};
constexpr std::array<std::string_view, reject_reason_count> reject_labels{
    "invalid_request", "unsupported_type", "too_large", "quota_exceeded", "verification_failed"};
constexpr std::array<std::string_view, 2> scope_labels{"user", "ip"};

constexpr auto relaxed = std::memory_order_relaxed;

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_seconds(std::string& out, std::uint64_t ns) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%llu.%09llu",
                              static_cast<unsigned long long>(ns / 1'000'000'000),
                              static_cast<unsigned long long>(ns % 1'000'000'000));
  out.append(buf, static_cast<std::size_t>(n));
}

void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out.append("# HELP ").append(name).append(1, ' ').append(help).append(1, '\n');
  out.append("# TYPE ").append(name).append(1, ' ').append(type).append(1, '\n');
}

// name{label="value"} number
void append_sample(std::string& out, std::string_view name, std::string_view label,
                   std::string_view value, std::uint64_t number) {
  out.append(name);
  if (!label.empty()) {
    out.append(1, '{').append(label).append("=\"").append(value).append("\"}");
  }
  out.append(1, ' ');
  append_number(out, number);
  out.append(1, '\n');
}

}  // namespace

reject_reason reject_reason_for(errc code) noexcept {
  switch (code) {
    case errc::unsupported_type:
      return reject_reason::unsupported_type;
    case errc::too_large:
      return reject_reason::too_large;
    case errc::conflict:
      return reject_reason::quota_exceeded;
    case errc::verification_failed:
      return reject_reason::verification_failed;
    default:
      return reject_reason::invalid_request;
  }
}

http_method to_http_method(boost::beast::http::verb v) noexcept {
  using boost::beast::http::verb;
  switch (v) {
    case verb::get:
      return http_method::get;
    case verb::head:
      return http_method::head;
    case verb::post:
      return http_method::post;
    case verb::put:
      return http_method::put;
    case verb::delete_:
      return http_method::delete_;
    case verb::options:
      return http_method::options;
    default:
      return http_method::other;
  }
}

void metrics_registry::observe_request(route r, http_method m, unsigned status,
                                       std::chrono::steady_clock::duration elapsed) noexcept {
  const auto ri = static_cast<std::size_t>(r);
  const auto mi = static_cast<std::size_t>(m);
  if (ri >= route_count || mi >= http_method_count) {
    return;  // out-of-range enum values: a caller bug, not worth a crash in a metric
  }
  requests_[(ri * http_method_count + mi) * status_slots + status_slot(status)].fetch_add(1,
                                                                                          relaxed);
  const std::int64_t ns = std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  std::size_t b = 0;
  while (b < latency_bucket_ns.size() && ns > latency_bucket_ns[b]) {
    ++b;
  }
  histogram& h = durations_[ri];
  h.buckets[b].fetch_add(1, relaxed);
  h.sum_ns.fetch_add(static_cast<std::uint64_t>(ns), relaxed);
}

void metrics_registry::upload_started(upload_method m) noexcept {
  const auto i = static_cast<std::size_t>(m);
  if (i < started_.size()) {
    started_[i].fetch_add(1, relaxed);
  }
}

void metrics_registry::upload_completed() noexcept {
  completed_.fetch_add(1, relaxed);
}

void metrics_registry::upload_rejected(reject_reason reason) noexcept {
  const auto i = static_cast<std::size_t>(reason);
  if (i < rejected_.size()) {
    rejected_[i].fetch_add(1, relaxed);
  }
}

void metrics_registry::rate_limited(rate_scope scope) noexcept {
  const auto i = static_cast<std::size_t>(scope);
  if (i < rate_limited_.size()) {
    rate_limited_[i].fetch_add(1, relaxed);
  }
}

void metrics_registry::pending_swept(std::uint64_t n) noexcept {
  swept_.fetch_add(n, relaxed);
}

std::string metrics_registry::render() const {
  std::string out;
  out.reserve(8192);

  constexpr std::string_view requests = "onehop_http_requests_total";
  append_header(out, requests, "counter", "HTTP requests answered, by route, method and status.");
  for (std::size_t ri = 0; ri < route_count; ++ri) {
    for (std::size_t mi = 0; mi < http_method_count; ++mi) {
      for (std::size_t si = 0; si < status_slots; ++si) {
        const std::uint64_t n =
            requests_[(ri * http_method_count + mi) * status_slots + si].load(relaxed);
        if (n == 0) {
          continue;  // thousands of possible series; only the ones seen are written
        }
        out.append(requests).append("{route=\"").append(route_name(static_cast<route>(ri)));
        out.append("\",method=\"").append(method_labels[mi]).append("\",status=\"");
        if (si == status_slot_other) {
          out.append("other");
        } else {
          append_number(out, tracked_statuses[si]);
        }
        out.append("\"} ");
        append_number(out, n);
        out.append(1, '\n');
      }
    }
  }

  constexpr std::string_view duration = "onehop_http_request_duration_seconds";
  append_header(out, duration, "histogram", "Time from request header to response, by route.");
  for (std::size_t ri = 0; ri < route_count; ++ri) {
    const histogram& h = durations_[ri];
    std::array<std::uint64_t, bucket_slots> counts;
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < bucket_slots; ++b) {
      counts[b] = h.buckets[b].load(relaxed);
      total += counts[b];
    }
    if (total == 0) {
      continue;
    }
    const std::string_view name = route_name(static_cast<route>(ri));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < bucket_slots; ++b) {
      cumulative += counts[b];
      out.append(duration).append("_bucket{route=\"").append(name).append("\",le=\"");
      out.append(b < latency_bucket_labels.size() ? latency_bucket_labels[b] : "+Inf");
      out.append("\"} ");
      append_number(out, cumulative);
      out.append(1, '\n');
    }
    out.append(duration).append("_sum{route=\"").append(name).append("\"} ");
    append_seconds(out, h.sum_ns.load(relaxed));
    out.append(1, '\n');
    out.append(duration).append("_count{route=\"").append(name).append("\"} ");
    append_number(out, total);
    out.append(1, '\n');
  }

  constexpr std::string_view started = "onehop_uploads_started_total";
  append_header(out, started, "counter", "Uploads started, by how they are sent.");
  for (std::size_t i = 0; i < started_.size(); ++i) {
    append_sample(out, started, "method", upload_method_labels[i], started_[i].load(relaxed));
  }

  constexpr std::string_view completed = "onehop_uploads_completed_total";
  append_header(out, completed, "counter", "Uploads verified and recorded as images.");
  append_sample(out, completed, "", "", completed_.load(relaxed));

  constexpr std::string_view rejected = "onehop_uploads_rejected_total";
  append_header(out, rejected, "counter", "Uploads refused at start or at completion, by reason.");
  for (std::size_t i = 0; i < rejected_.size(); ++i) {
    append_sample(out, rejected, "reason", reject_labels[i], rejected_[i].load(relaxed));
  }

  constexpr std::string_view limited = "onehop_rate_limited_total";
  append_header(out, limited, "counter", "Requests refused by a rate limit, by scope.");
  for (std::size_t i = 0; i < rate_limited_.size(); ++i) {
    append_sample(out, limited, "scope", scope_labels[i], rate_limited_[i].load(relaxed));
  }

  constexpr std::string_view swept = "onehop_pending_swept_total";
  append_header(out, swept, "counter", "Pending uploads expired and swept, objects included.");
  append_sample(out, swept, "", "", swept_.load(relaxed));
  return out;
}

}  // namespace onehop::api
