#include "store/server.hpp"

#include <chrono>

namespace onehop::store {

result<std::unique_ptr<store_server>> store_server::start(store_server_config config) {
  std::unique_ptr<store_server> self(new store_server());
  const auto now = std::chrono::floor<std::chrono::milliseconds>(config.front.clock());
  auto engine = object_store::open(config.engine, now, &self->report_);
  if (!engine) {
    return engine.error();
  }
  self->engine_ = std::move(*engine);
  for (const auto& bucket : config.buckets) {
    auto created = self->engine_->create_bucket(bucket, now);
    if (!created && created.error() != make_error_code(errc::bucket_already_owned_by_you)) {
      return created.error();
    }
  }
  self->handler_ = std::make_unique<s3_handler>(std::move(config.front), *self->engine_);
  self->http_ = std::make_unique<http::server>(config.http, *self->handler_);
  self->http_->start();
  return self;
}

store_server::~store_server() {
  if (http_) {
    http_->stop();
    http_->wait();
  }
}

void store_server::stop() {
  http_->stop();
}

void store_server::wait() {
  http_->wait();
}

}  // namespace onehop::store
