#include "stats.hpp"

#include <algorithm>
#include <cmath>

namespace onehop::bench {

double percentile(std::span<const double> sorted, double fraction) {
  if (sorted.empty()) {
    return 0;
  }
  // Nearest rank: the smallest value with at least `fraction` of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

row_summary summarize(std::span<const worker_sample> workers) {
  row_summary out;
  std::vector<double> all;
  for (const auto& w : workers) {
    out.requests += w.requests;
    if (w.window_seconds > 0) {
      out.mib_per_second += static_cast<double>(w.bytes) / (1024.0 * 1024.0) / w.window_seconds;
      out.objects_per_second += static_cast<double>(w.requests) / w.window_seconds;
    }
    all.insert(all.end(), w.latencies.begin(), w.latencies.end());
  }
  std::sort(all.begin(), all.end());
  out.p50_ms = percentile(all, 0.50);
  out.p99_ms = percentile(all, 0.99);
  return out;
}

}  // namespace onehop::bench
