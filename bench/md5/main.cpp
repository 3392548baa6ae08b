// MD5 throughput on one core: OpenSSL's MD5 (one stream, the peer) beside onehop's lane MD5
// (store/md5.hpp) for 1 to 32 streams of 1 MiB each, per engine the CPU has. bytes_per_second is
// the total over all streams.
//
//   cmake --preset release && cmake --build build/release --target bench_md5
//   taskset -c 1 build/release/bench/bench_md5 --benchmark_min_time=0.5

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "store/md5.hpp"

namespace {

constexpr std::size_t stream_size = 1 << 20;

const std::vector<std::string>& streams() {
  static const std::vector<std::string> data = [] {
    std::vector<std::string> out(32, std::string(stream_size, '\0'));
    unsigned x = 1;
    for (auto& s : out) {
      for (char& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
      }
    }
    return out;
  }();
  return data;
}

void openssl_one_stream(benchmark::State& state) {
  const std::string& data = streams()[0];
  unsigned char digest[16];
  unsigned int size = 0;
  for (auto _ : state) {
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream_size));
}
BENCHMARK(openssl_one_stream);

void lanes(benchmark::State& state) {
  const auto engine = static_cast<onehop::store::md5_engine>(state.range(0));
  const auto count = static_cast<std::size_t>(state.range(1));
  if (!onehop::store::md5_engine_available(engine)) {
    state.SkipWithError("engine not available on this CPU");
    return;
  }
  for (auto _ : state) {
    std::vector<onehop::store::md5_hasher> hashers(count);
    std::vector<onehop::store::md5_job> jobs;
    for (std::size_t i = 0; i < count; ++i) {
      jobs.push_back({&hashers[i], streams()[i]});
    }
    onehop::store::md5_update_many_with(jobs.data(), jobs.size(), engine);
    for (auto& h : hashers) {
      benchmark::DoNotOptimize(h.finish());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * count * stream_size));
}
// Engines: 0 scalar, 1 AVX2, 2 AVX-512.
BENCHMARK(lanes)->ArgNames({"engine", "streams"})->ArgsProduct({{0, 1, 2}, {1, 2, 4, 8, 16, 32}});

}  // namespace

BENCHMARK_MAIN();
