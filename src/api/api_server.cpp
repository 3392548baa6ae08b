#include "api/api_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/log.hpp"

namespace onehop::api {

result<std::unique_ptr<api_server>> api_server::start(app_config config) {
  if (auto ok = validate(config.policy); !ok) {
    return ok.error();
  }
  for (const auto& [rate, burst] :
       {std::pair{config.rate_limits.user_rate, config.rate_limits.user_burst},
        std::pair{config.rate_limits.ip_rate, config.rate_limits.ip_burst}}) {
    rate_limiter_config limits;
    limits.rate_per_second = rate;
    limits.burst = burst;
    limits.enabled = config.rate_limits.enabled;
    if (auto ok = validate(limits); !ok) {
      return ok.error();
    }
  }
  if (config.upload_token_secret.size() < 32) {
    return make_error(errc::invalid_request, "upload token secret: at least 32 bytes");
  }
  auto authn = authenticator::create(config.auth);
  if (!authn) {
    return authn.error();
  }
  std::unique_ptr<api_server> s(new api_server());
  s->config_ = std::move(config);
  auto opened = db::open_sqlite(s->config_.database_file);
  if (!opened) {
    return make_error(errc::internal, "cannot open database " + s->config_.database_file.string() +
                                          ": " + opened.error().message);
  }
  s->db_ = std::move(*opened);
  s->parts_ = std::make_unique<api_components>(s->config_, std::move(*authn), *s->db_);

  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(s->config_.clock());
  auto usage = s->db_->all_usage(now);
  if (!usage) {
    return make_error(errc::internal,
                      "cannot read usage from the database: " + usage.error().message);
  }
  for (const auto& [user, used] : *usage) {
    s->parts_->quota.load(user, quota_usage{used.bytes, used.count});
  }

  s->handler_ = std::make_unique<api_handler>(*s->parts_);
  s->http_ = std::make_unique<http::server>(s->config_.http, *s->handler_);
  s->http_->start();
  s->sweeper_ = std::make_unique<sweeper>(*s->parts_);
  s->start_sweeper();
  return s;
}

void api_server::start_sweeper() {
  boost::asio::co_spawn(
      sweep_context_,
      [this]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        for (;;) {
          const auto now = std::chrono::time_point_cast<std::chrono::seconds>(config_.clock());
          (void)co_await sweeper_->sweep_once(now);
          timer.expires_after(config_.sweep_interval);
          boost::system::error_code ec;
          co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
          if (ec) {
            co_return;
          }
        }
      },
      boost::asio::detached);
  sweep_thread_ = std::thread([this] { sweep_context_.run(); });
}

void api_server::stop() {
  http_->stop();
  sweep_context_.stop();
}

void api_server::wait() {
  http_->wait();
  if (sweep_thread_.joinable()) {
    sweep_thread_.join();
  }
  if (!stopped_) {
    stopped_ = true;
    if (auto flushed = db_->flush(); !flushed) {
      log_event(log_level::error, "shutdown", "database flush failed: " + flushed.error().message);
    }
  }
}

api_server::~api_server() {
  if (http_) {
    stop();
    wait();
  }
}

}  // namespace onehop::api
