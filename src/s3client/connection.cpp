#include "s3client/connection.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

namespace onehop::s3client {

namespace {

using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string connect_target::key() const {
  std::string out = tls ? "https://" : "http://";
  out += host;
  out += ':';
  out += std::to_string(port);
  if (tls) {
    // A client's TLS context (its CA set) is part of what a connection was verified against.
    out += '#';
    out += std::to_string(reinterpret_cast<std::uintptr_t>(tls.get()));
    out += verify_tls ? "v" : "n";
  }
  return out;
}

bool connection::looks_alive() {
  auto& socket = lowest().socket();
  if (!socket.is_open()) {
    return false;
  }
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<std::pair<std::unique_ptr<connection>, std::optional<connect_failure>>> connect(
    const connect_target& target, std::chrono::milliseconds timeout) {
  using out_type = std::pair<std::unique_ptr<connection>, std::optional<connect_failure>>;
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  // The resolver runs getaddrinfo on Asio's internal thread, never on this I/O thread.
  tcp::resolver resolver(executor);
  auto [rec, results] =
      co_await resolver.async_resolve(target.host, std::to_string(target.port), use_tuple);
  if (rec) {
    co_return out_type{nullptr, connect_failure{"resolve", rec}};
  }

  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  auto [cec, ep] = co_await stream.async_connect(results, use_tuple);
  if (cec) {
    co_return out_type{nullptr, connect_failure{"connect", cec}};
  }
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);

  auto conn = std::make_unique<connection>();
  if (!target.tls) {
    stream.expires_never();
    conn->tcp.emplace(std::move(stream));
    co_return out_type{std::move(conn), std::nullopt};
  }

  conn->tls_context = target.tls;
  auto& tls = conn->tls.emplace(std::move(stream), *target.tls);
  if (!is_ip_literal(target.host) &&
      !SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str())) {
    co_return out_type{nullptr, connect_failure{"tls", boost::system::error_code(
                                                           static_cast<int>(::ERR_get_error()),
                                                           asio::error::get_ssl_category())}};
  }
  if (target.verify_tls) {
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(target.host));
  } else {
    tls.set_verify_mode(asio::ssl::verify_none);
  }
  beast::get_lowest_layer(tls).expires_at(deadline);
  auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (hec) {
    co_return out_type{nullptr, connect_failure{"tls", hec}};
  }
  beast::get_lowest_layer(tls).expires_never();
  co_return out_type{std::move(conn), std::nullopt};
}

std::unique_ptr<connection> pool_service::take(const std::string& pool_key,
                                               std::chrono::milliseconds max_idle) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto it = idle_.find(pool_key);
  if (it == idle_.end()) {
    return nullptr;
  }
  auto& list = it->second;
  // Most recently used first: the one least likely to have been closed by the server.
  while (!list.empty()) {
    auto c = std::move(list.back());
    list.pop_back();
    if (now - c->idle_since <= max_idle && c->looks_alive()) {
      c->reused = true;
      return c;
    }
  }
  return nullptr;
}

void pool_service::give(const std::string& pool_key, std::unique_ptr<connection> c,
                        std::size_t max_per_key) {
  std::lock_guard lock(mutex_);
  if (shut_down_) {
    return;
  }
  auto& list = idle_[pool_key];
  if (list.size() >= max_per_key) {
    return;
  }
  c->idle_since = std::chrono::steady_clock::now();
  list.push_back(std::move(c));
}

std::size_t pool_service::idle_count(const std::string& pool_key) {
  std::lock_guard lock(mutex_);
  auto it = idle_.find(pool_key);
  return it == idle_.end() ? 0 : it->second.size();
}

void pool_service::shutdown() {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  idle_.clear();
}

}  // namespace onehop::s3client
