#pragma once
// Keep-alive connections to one storage endpoint, and the per-io_context pool that keeps the
// idle ones.
//
// A socket belongs to the io_context it was opened on, so the pool is an Asio service of that
// io_context: it is created on first use, shared by every client that talks to the same
// endpoint with the same TLS settings (the key), and its connections are closed when the
// io_context shuts down, whatever the order in which clients and io_contexts are destroyed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace onehop::s3client {

namespace asio = boost::asio;
namespace beast = boost::beast;

// Where to connect: the TCP peer and, for https, the name the certificate must carry.
struct connect_target {
  std::string host;  // DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain http
  bool verify_tls = true;

  // The pool key: connections with equal keys are interchangeable.
  std::string key() const;
};

class connection {
 public:
  // Exactly one of the streams is set.
  std::optional<beast::tcp_stream> tcp;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<asio::ssl::context> tls_context;  // outlives the stream's SSL object
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;            // taken from the pool rather than freshly connected
  std::unique_ptr<char[]> chunk;  // body read buffer, allocated on first use

  beast::tcp_stream& lowest() noexcept { return tls ? beast::get_lowest_layer(*tls) : *tcp; }

  // False when the peer has closed (or sent unsolicited bytes on) an idle connection: a
  // non-blocking peek that finds anything but "would block".
  bool looks_alive();
};

// Why a connection could not be opened (resolve, connect, TLS handshake), for the error text.
struct connect_failure {
  std::string stage;  // "resolve", "connect", "tls"
  boost::system::error_code ec;
};

// Resolves and connects with `timeout` for the whole of it (TCP_NODELAY set); for https,
// handshakes with SNI (unless the host is an IP literal) and, when verify_tls, peer and host-name
// verification.
asio::awaitable<std::pair<std::unique_ptr<connection>, std::optional<connect_failure>>> connect(
    const connect_target& target, std::chrono::milliseconds timeout);

class pool_service final : public asio::execution_context::service {
 public:
  using key_type = pool_service;
  inline static asio::execution_context::id id;

  explicit pool_service(asio::execution_context& owner) : service(owner) {}

  // An idle connection for `key` that was idle at most `max_idle` and still looks alive, or null.
  std::unique_ptr<connection> take(const std::string& pool_key, std::chrono::milliseconds max_idle);
  // Keeps `c` for reuse, unless `max_per_key` are already idle for `key`.
  void give(const std::string& pool_key, std::unique_ptr<connection> c, std::size_t max_per_key);

  std::size_t idle_count(const std::string& pool_key);

 private:
  void shutdown() override;

  std::mutex mutex_;
  bool shut_down_ = false;
  std::unordered_map<std::string, std::deque<std::unique_ptr<connection>>> idle_;
};

}  // namespace onehop::s3client
