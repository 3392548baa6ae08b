#pragma once
// Helpers for the storage client's tests: running a coroutine to completion, an embedded store
// on port 0, and a scripted HTTP(S) server for faults.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <csignal>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "s3client/client.hpp"
#include "store/server.hpp"

namespace onehop::s3client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Runs `aw` on `ioc` until it and everything it started have finished.
template <class T>
T run(asio::io_context& ioc, asio::awaitable<T> aw) {
  std::optional<T> out;
  std::exception_ptr failure;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(aw)); },
      [&](std::exception_ptr e) { failure = e; });
  ioc.restart();
  ioc.run();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return std::move(*out);
}

// A fresh folder under $TMPDIR, removed at the end.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "onehop-s3client-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr const char* test_access_key = "AKIDS3CLIENTTEST";
inline constexpr const char* test_secret_key = "s3client-test-secret-key-0123456789";
inline constexpr const char* test_bucket = "client-bucket";

inline sigv4::s3_endpoint local_endpoint(std::string_view scheme, std::string_view host,
                                         unsigned short port) {
  auto e = sigv4::parse_endpoint(std::string(scheme) + "://" + std::string(host) + ":" +
                                 std::to_string(port));
  if (!e) {
    throw std::runtime_error("bad endpoint");
  }
  return *e;
}

inline client_config make_config(sigv4::s3_endpoint endpoint) {
  client_config config;
  config.signer.creds = {test_access_key, test_secret_key, ""};
  config.signer.endpoint = std::move(endpoint);
  config.signer.region = "us-east-1";
  config.bucket = test_bucket;
  config.retry.base = std::chrono::milliseconds(1);
  config.retry.cap = std::chrono::milliseconds(5);
  return config;
}

// The embedded store on 127.0.0.1:0 with one bucket and the test key.
class local_store {
 public:
  explicit local_store(unsigned threads = 1) {
    // The store answers GETs with sendfile(2), which raises SIGPIPE when a client goes away
    // mid-body (as the client does on purpose when a body is over its cap); the onehop binary
    // ignores SIGPIPE, and so must a test process that embeds the store.
    std::signal(SIGPIPE, SIG_IGN);
    store::store_server_config config;
    config.engine.data_dir = dir_.path();
    config.http.threads = threads;
    config.http.blocking_threads = 2;
    config.front.keys.push_back({test_access_key, test_secret_key});
    config.buckets = {test_bucket};
    auto started = store::store_server::start(std::move(config));
    if (!started) {
      throw std::runtime_error("store did not start: " + started.error().message());
    }
    server_ = std::move(*started);
  }
  ~local_store() {
    server_->stop();
    server_->wait();
  }
  unsigned short port() const { return server_->port(); }
  store::store_server& server() { return *server_; }
  client_config config() const { return make_config(local_endpoint("http", "127.0.0.1", port())); }

 private:
  temp_dir dir_;
  std::unique_ptr<store::store_server> server_;
};

// What a scripted server answers to one request.
struct scripted_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;         // never answer (read and wait until the client gives up)
  bool close_after = false;  // close the connection after answering (keep-alive still announced)
};

struct seen_request {
  std::string method;
  std::string target;
  std::string host;
  std::string body;
};

// An HTTP/1.1 server on 127.0.0.1:0 on its own thread; answers with `script(n, request)` where n
// counts requests from 0. With a TLS context it speaks https.
class scripted_server {
 public:
  using script_fn = std::function<scripted_response(unsigned, const seen_request&)>;

  explicit scripted_server(script_fn script, std::shared_ptr<asio::ssl::context> tls = nullptr)
      : script_(std::move(script)), tls_(std::move(tls)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address_v4("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~scripted_server() {
    ioc_.stop();
    thread_.join();
  }

  unsigned short port() const { return port_; }
  unsigned requests() const { return requests_.load(); }
  unsigned connections() const { return connections_.load(); }
  unsigned handshakes_failed() const { return handshakes_failed_.load(); }
  std::vector<seen_request> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        co_return;
      }
      ++connections_;
      if (tls_) {
        asio::co_spawn(ioc_, serve_tls(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(ioc_, serve(beast::tcp_stream(std::move(socket))), asio::detached);
      }
    }
  }

  asio::awaitable<void> serve_tls(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (ec) {
      ++handshakes_failed_;
      co_return;
    }
    co_await serve_stream(stream);
  }

  asio::awaitable<void> serve(beast::tcp_stream stream) { co_await serve_stream(stream); }

  template <class Stream>
  asio::awaitable<void> serve_stream(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      auto [ec, n] =
          co_await bhttp::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        co_return;
      }
      seen_request seen{std::string(req.method_string()), std::string(req.target()),
                        std::string(req[bhttp::field::host]), req.body()};
      unsigned index = 0;
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(seen);
        index = requests_++;
      }
      scripted_response answer = script_(index, seen);
      if (answer.hang) {
        // Wait for the client to give up: its close ends this read.
        co_await beast::get_lowest_layer(stream).socket().async_wait(
            tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
      for (const auto& [name, value] : answer.headers) {
        res.set(name, value);
      }
      res.body() = answer.body;
      res.keep_alive(true);
      res.prepare_payload();
      if (req.method() == bhttp::verb::head) {
        res.body().clear();
      }
      auto [wec, written] =
          co_await bhttp::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      if (wec || answer.close_after) {
        co_return;
      }
    }
  }

  script_fn script_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::io_context ioc_{1};
  tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<seen_request> seen_;
  std::atomic<unsigned> requests_{0};
  std::atomic<unsigned> connections_{0};
  std::atomic<unsigned> handshakes_failed_{0};
};

}  // namespace onehop::s3client::testing
