#pragma once
// The HTTP/1.1 server shared by the store and the upload API.
//
// Threads: one io_context per thread, each with its own SO_REUSEPORT acceptor on the same port;
// a connection lives on the thread that accepted it for its whole life, so a session needs no
// strand. Blocking work goes to a separate thread pool (see blocking.hpp).
//
// Request flow, for each request on a keep-alive connection:
//   1. wait up to idle_timeout for the first byte, then read the header (read_timeout, at most
//      header_limit bytes: 431 beyond, 400 for anything malformed, then the connection closes);
//   2. call handler::handle with a `request` whose header is known but whose body is unread: the
//      application routes and authenticates BEFORE any body byte is read;
//   3. the handler pulls the body in chunks of at most body_buffer_size bytes with read_some()
//      (memory does not grow with the body). `Expect: 100-continue` is answered by the first
//      read_some(): a handler that rejects the request without reading never sends 100;
//   4. the response is written (write_timeout per write): an in-memory body in one gathered
//      write, or a header followed by sendfile(2) from a file descriptor;
//   5. a body the handler left unread ends the connection (after the response, with a short
//      lingering drain so the client sees the response rather than a reset).
//
// stop() stops accepting, closes idle connections, lets in-flight requests finish and then
// lets wait() return. Not copyable; start() once.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/blocking.hpp"
#include "http/errors.hpp"

namespace onehop::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct server_config {
  asio::ip::tcp::endpoint listen{asio::ip::make_address_v4("127.0.0.1"), 0};
  unsigned threads = 0;  // 0: one per core
  unsigned blocking_threads = 4;
  std::size_t header_limit = 16 * 1024;       // request line + fields + blank line, in bytes
  std::size_t body_buffer_size = 256 * 1024;  // the largest chunk read_some() returns
  std::uint64_t default_body_limit = 6ull << 30;
  std::size_t max_connections = 4096;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // After a response to a request whose body was left unread: how long and how much to drain.
  std::chrono::milliseconds linger_timeout{std::chrono::seconds(1)};
  std::uint64_t linger_bytes = 1 << 20;
};

// A file region sent with sendfile(2). `owner` keeps whatever owns `fd` alive until the region
// has been sent (or the connection failed).
struct file_region {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::shared_ptr<const void> owner;
};

// What a handler answers. Content-Length is set by the server from the body or the file, unless
// the handler already set it (a HEAD response sets it and leaves the body empty). 1xx, 204 and
// 304 responses carry no Content-Length.
struct response {
  bhttp::response<bhttp::string_body> message;
  std::optional<file_region> file;  // when set, message.body() must be empty
  // Header lines already formatted ("Name: value\r\n" each), sent after message's fields: lets a
  // hot path answer without Beast's field container, which allocates once per field. No field may
  // appear both here and in message.
  std::string fields_text;
};

class session;

// One request as seen by a handler: header parsed, body unread.
class request {
 public:
  const bhttp::request_header<>& header() const noexcept { return parser_.get().base(); }
  bhttp::verb method() const noexcept { return parser_.get().method(); }
  std::string_view target() const noexcept { return parser_.get().target(); }
  const asio::ip::tcp::endpoint& remote() const noexcept { return remote_; }

  // Declared body size: Content-Length, or nullopt for Transfer-Encoding: chunked.
  std::optional<std::uint64_t> content_length() const {
    const auto declared = parser_.content_length();
    return declared ? std::optional<std::uint64_t>(*declared) : std::nullopt;
  }
  // True unless the request has no body at all (no Content-Length and not chunked, or 0).
  bool has_body() const { return !body_done(); }

  // Limits the body; read_some() fails with errc::body_too_large past it. Set before reading.
  void body_limit(std::uint64_t limit) { parser_.body_limit(limit); }

  // The next chunk of the body (at most body_buffer_size bytes, valid until the next call), or
  // an empty view at the end of the body. The first call sends "100 Continue" if asked for.
  asio::awaitable<result<std::string_view>> read_some();

  // Like read_some(), but reads into `into` (at most into.size() bytes, which must not be 0)
  // instead of the session's buffer: lets a caller fill one buffer while another is still being
  // written elsewhere (double buffering).
  asio::awaitable<result<std::string_view>> read_some_into(std::span<char> into);

  // The whole body, if it has at most `limit` bytes; errc::body_too_large otherwise.
  asio::awaitable<result<std::string>> read_all(std::size_t limit);

  bool body_done() const noexcept {
    return parser_.is_done() || (unparsed_remaining_ && *unparsed_remaining_ == 0);
  }

  // Runs `f` on the server's blocking pool; the coroutine resumes on this connection's thread.
  template <class F>
  asio::awaitable<std::invoke_result_t<F&>> run_blocking(F f) {
    co_return co_await http::run_blocking(pool_, std::move(f));
  }

 private:
  friend class session;
  asio::awaitable<result<void>> send_continue_once();
  bool expects_continue() const;
  // Parses the whole body into `out` without suspending when it has a Content-Length and is all
  // in the session's buffer already (and no 100 Continue is owed). False otherwise; `out` then
  // holds the bytes parsed so far (none, unless the parser stopped early) and reading goes on.
  bool take_buffered_body(std::string& out);
  request(session& owner, bhttp::request_parser<bhttp::buffer_body>& parser,
          asio::ip::tcp::endpoint remote, asio::thread_pool& pool)
      : session_(owner), parser_(parser), remote_(remote), pool_(pool) {}

  session& session_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  asio::ip::tcp::endpoint remote_;
  asio::thread_pool& pool_;
  bool continue_sent_ = false;
  // Set once a Content-Length body is read from the socket straight into the caller's buffer,
  // past the parser: the body bytes still to come.
  std::optional<std::uint64_t> unparsed_remaining_;
};

// The application. handle() may be called concurrently from several threads (one call per
// connection at a time), so shared state inside a handler must be thread-safe.
class handler {
 public:
  virtual ~handler() = default;
  virtual asio::awaitable<response> handle(request& req) = 0;
  // The response to a request the server rejected before the handler saw it (431 or 400).
  virtual response protocol_error(bhttp::status status);
};

struct server_stats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over max_connections
  std::uint64_t connections_open = 0;
  std::uint64_t requests = 0;
  std::uint64_t sendfile_bytes = 0;  // body bytes sent with sendfile(2)
  std::uint64_t sendfile_calls = 0;
};

class server {
 public:
  server(server_config config, handler& app);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds (throws boost::system::system_error on failure: a start-up error, including a port that
  // another process listens on, even one that set SO_REUSEPORT) and starts the threads. Raises
  // RLIMIT_NOFILE to its hard limit.
  void start();
  // The bound port (useful with port 0).
  unsigned short port() const noexcept { return port_; }
  // Stops accepting; idle connections close, in-flight requests finish. Thread-safe, idempotent.
  void stop();
  // Blocks until every thread has finished (after stop()).
  void wait();

  server_stats stats() const noexcept;

 private:
  friend class session;
  friend class request;
  struct worker;

  asio::awaitable<void> accept_loop(worker& w);
  asio::awaitable<void> watchdog(worker& w);
  asio::awaitable<void> run_session(worker& w, asio::ip::tcp::socket socket);

  server_config config_;
  handler& app_;
  asio::thread_pool pool_;
  std::vector<std::unique_ptr<worker>> workers_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> connections_accepted_{0};
  std::atomic<std::uint64_t> connections_rejected_{0};
  std::atomic<std::uint64_t> connections_open_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> sendfile_bytes_{0};
  std::atomic<std::uint64_t> sendfile_calls_{0};
};

}  // namespace onehop::http
