#pragma once
// Pure summary of one benchmark row: what each worker measured in, what the table prints out.
//
// Rates are the sum of per-worker rates (bytes / the worker's own window, from the start of its
// first measured request to the end of its last), so a large request still in flight when the
// warm-up ends or the clock runs out neither inflates nor deflates the figure.

#include <cstdint>
#include <span>
#include <vector>

namespace onehop::bench {

struct worker_sample {
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
  double window_seconds = 0;      // first measured start .. last measured end
  std::vector<double> latencies;  // milliseconds, one per measured request
};

struct row_summary {
  std::uint64_t requests = 0;
  double mib_per_second = 0;
  double objects_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Nearest-rank percentile (`fraction` in [0, 1]) of `sorted` (ascending); 0 when empty.
double percentile(std::span<const double> sorted, double fraction);

row_summary summarize(std::span<const worker_sample> workers);

}  // namespace onehop::bench
