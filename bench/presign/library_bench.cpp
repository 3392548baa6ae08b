// Signing throughput of the sigv4 library on one core (run pinned: taskset -c 1 ./bench_presign).
// Typical upload: path-style PUT to http://127.0.0.1:9000, key uploads/user-42/<16 hex>.jpg,
// signed Content-Type and Content-Length, 900 s expiry.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "sigv4/signer.hpp"
#include "sigv4/time.hpp"

namespace {

using namespace onehop::sigv4;

signer_config local_config(bool with_token) {
  signer_config c;
  c.creds.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  if (with_token) {
    c.creds.session_token = "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLE+token/with=padding==";
  }
  c.endpoint = parse_endpoint("http://127.0.0.1:9000").value();
  c.region = "us-east-1";
  return c;
}

std::vector<std::string> make_keys() {
  std::vector<std::string> keys;
  keys.reserve(1024);
  for (unsigned i = 0; i < 1024; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "uploads/user-42/%016x.jpg", i * 2654435761u);
    keys.emplace_back(buf);
  }
  return keys;
}

const std::chrono::sys_seconds bench_now = parse_amz_date("20240101T120000Z").value();

void run_presign(benchmark::State& state, presigner& signer, presign_request req) {
  const std::vector<std::string> keys = make_keys();
  std::string url;
  std::size_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    req.key = keys[i++ & 1023];
    auto r = signer.presign(url, req, bench_now);
    if (!r) {
      state.SkipWithError("presign failed");
      break;
    }
    bytes += url.size();
    benchmark::DoNotOptimize(url.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["url_bytes"] =
      state.iterations() ? static_cast<double>(bytes) / state.iterations() : 0;
}

void BM_presign_put_typical(benchmark::State& state) {
  presigner signer(local_config(false));
  const std::array<header_field, 2> headers{
      {{"content-type", "image/jpeg"}, {"content-length", "1048576"}}};
  presign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.headers = headers;
  req.expires = std::chrono::seconds(900);
  run_presign(state, signer, req);
}
BENCHMARK(BM_presign_put_typical);

// The bench/presign/run.sh shape: signed Content-Type only, 3600 s.
void BM_presign_put_content_type(benchmark::State& state) {
  presigner signer(local_config(false));
  const std::array<header_field, 1> headers{{{"content-type", "image/jpeg"}}};
  presign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.headers = headers;
  req.expires = std::chrono::seconds(3600);
  run_presign(state, signer, req);
}
BENCHMARK(BM_presign_put_content_type);

void BM_presign_put_session_token(benchmark::State& state) {
  presigner signer(local_config(true));
  const std::array<header_field, 2> headers{
      {{"content-type", "image/jpeg"}, {"content-length", "1048576"}}};
  presign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.headers = headers;
  run_presign(state, signer, req);
}
BENCHMARK(BM_presign_put_session_token);

// Multipart part URL: extra query parameters take the sorting path.
void BM_presign_upload_part(benchmark::State& state) {
  presigner signer(local_config(false));
  const std::array<query_param, 2> query{
      {{"uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"},
       {"partNumber", "17"}}};
  const std::array<header_field, 1> headers{{{"content-length", "5242880"}}};
  presign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.query = query;
  req.headers = headers;
  run_presign(state, signer, req);
}
BENCHMARK(BM_presign_upload_part);

void BM_presign_get(benchmark::State& state) {
  presigner signer(local_config(false));
  presign_request req;
  req.method = "GET";
  req.bucket = "bench-bucket";
  req.expires = std::chrono::seconds(300);
  run_presign(state, signer, req);
}
BENCHMARK(BM_presign_get);

// Header authentication (what a client such as `onehop upload` does per request).
void BM_sign_headers_put(benchmark::State& state) {
  presigner signer(local_config(false));
  const std::vector<std::string> keys = make_keys();
  const std::array<header_field, 2> headers{
      {{"content-type", "image/jpeg"}, {"content-length", "1048576"}}};
  sign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.headers = headers;
  req.payload_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  header_auth auth;
  std::size_t i = 0;
  for (auto _ : state) {
    req.key = keys[i++ & 1023];
    auto r = signer.sign(auth, req, bench_now);
    if (!r) {
      state.SkipWithError("sign failed");
      break;
    }
    benchmark::DoNotOptimize(auth.authorization.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_headers_put);

// The cost the per-day key cache saves: a new presigner (key derivation, buffers) per URL.
void BM_presign_one_shot(benchmark::State& state) {
  const signer_config config = local_config(false);
  const std::vector<std::string> keys = make_keys();
  const std::array<header_field, 2> headers{
      {{"content-type", "image/jpeg"}, {"content-length", "1048576"}}};
  presign_request req;
  req.method = "PUT";
  req.bucket = "bench-bucket";
  req.headers = headers;
  std::size_t i = 0;
  for (auto _ : state) {
    req.key = keys[i++ & 1023];
    auto r = presign_url(config, req, bench_now);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_one_shot);

}  // namespace

BENCHMARK_MAIN();
