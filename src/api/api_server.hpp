#pragma once
// The upload API as one object: records, storage client, authentication, HTTP server and sweeper.
// `onehop serve` and `onehop dev` are thin commands around it; tests start it in-process.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>

#include "api/app_config.hpp"
#include "api/errors.hpp"
#include "api/handler.hpp"
#include "api/sweeper.hpp"
#include "db/repository.hpp"
#include "http/server.hpp"

namespace onehop::api {

class api_server {
 public:
  // Opens (migrates) the database, warms the quota counters from it, binds and starts serving,
  // then starts the sweeper (whose first pass runs right away). Configuration and database
  // problems are returned; a bind failure throws boost::system::system_error (a start-up error).
  static result<std::unique_ptr<api_server>> start(app_config config);

  ~api_server();
  api_server(const api_server&) = delete;
  api_server& operator=(const api_server&) = delete;

  unsigned short port() const noexcept { return http_->port(); }
  api_components& components() noexcept { return *parts_; }

  // Graceful: stop accepting, finish in-flight requests, stop the sweeper, flush the database.
  void stop();
  void wait();

 private:
  api_server() = default;
  void start_sweeper();

  app_config config_;
  std::unique_ptr<db::repository> db_;
  std::unique_ptr<api_components> parts_;
  std::unique_ptr<api_handler> handler_;
  std::unique_ptr<http::server> http_;
  std::unique_ptr<sweeper> sweeper_;
  boost::asio::io_context sweep_context_;
  std::thread sweep_thread_;
  bool stopped_ = false;
};

}  // namespace onehop::api
