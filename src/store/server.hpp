#pragma once
// The embedded store as one object: the disk engine, the S3 front end and the HTTP server.
// `onehop store` is a thin command around it; tests start it in-process on port 0.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "http/server.hpp"
#include "store/handlers.hpp"
#include "store/object_store.hpp"

namespace onehop::store {

struct store_server_config {
  store_options engine;      // data_dir, size limits
  http::server_config http;  // listen address, threads, timeouts, header and connection limits
  front_config front;        // region, access keys, endpoint hosts, clock
  std::vector<std::string> buckets;  // created at start when missing
};

class store_server {
 public:
  // Opens the data folder (sweeps temp files and expired uploads), creates the configured
  // buckets, binds and starts serving. Engine failures are returned; a bind failure throws
  // boost::system::system_error (a start-up error).
  static result<std::unique_ptr<store_server>> start(store_server_config config);

  ~store_server();
  store_server(const store_server&) = delete;
  store_server& operator=(const store_server&) = delete;

  unsigned short port() const noexcept { return http_->port(); }
  const open_report& report() const noexcept { return report_; }
  http::server_stats stats() const noexcept { return http_->stats(); }
  object_store& engine() noexcept { return *engine_; }

  // Graceful: stop accepting, finish in-flight requests. Then wait() returns.
  void stop();
  void wait();

 private:
  store_server() = default;

  open_report report_;
  std::unique_ptr<object_store> engine_;
  std::unique_ptr<s3_handler> handler_;
  std::unique_ptr<http::server> http_;
};

}  // namespace onehop::store
