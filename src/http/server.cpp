#include "http/server.hpp"

#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include <thread>
#include <unordered_set>

namespace onehop::http {

namespace {

using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";
// The largest single sendfile(2) call; the kernel caps it near 2 GiB anyway, and smaller calls
// let other connections on the same thread run between them.
constexpr std::size_t sendfile_chunk = 8 << 20;
constexpr std::size_t first_read_size = 4096;

bool is_http_parse_error(const boost::system::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

errc body_read_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return errc::body_too_large;
  }
  if (ec == beast::error::timeout) {
    return errc::timeout;
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset) {
    return errc::incomplete_body;
  }
  if (is_http_parse_error(ec)) {
    return errc::bad_request;
  }
  return errc::connection_error;
}

void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    // Failure only leaves the soft limit where it was; the connection limit still applies.
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

struct server::worker {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::unordered_set<session*> sessions;  // touched only on this worker's thread
  bool stopping = false;
  std::thread thread;
};

class session {
 public:
  session(server& srv, server::worker& w, tcp::socket socket)
      : server_(srv), worker_(w), config_(srv.config_), stream_(std::move(socket)), timer_(w.ioc) {
    boost::system::error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec);
  }

  asio::awaitable<void> run();

  void cancel_if_idle() {
    if (idle_) {
      stream_.cancel();
    }
  }

 private:
  friend class request;

  asio::awaitable<bool> write(response& res, bool keep_alive);
  asio::awaitable<bool> send_header(const bhttp::response<bhttp::empty_body>& head,
                                    bool body_follows);
  asio::awaitable<bool> send_file(const file_region& file);
  asio::awaitable<bool> wait_writable();
  asio::awaitable<void> linger();
  asio::awaitable<void> reject(bhttp::status status);

  server& server_;
  server::worker& worker_;
  const server_config& config_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::unique_ptr<char[]> body_buffer_;
  asio::steady_timer timer_;
  tcp::endpoint remote_;
  bool idle_ = false;
};

asio::awaitable<void> session::run() {
  for (;;) {
    if (worker_.stopping) {
      co_return;
    }
    // Wait for the next request with the idle timeout; only then does read_timeout apply. Bytes
    // already buffered (a pipelined request) skip the wait.
    if (buffer_.size() == 0) {
      idle_ = true;
      stream_.expires_after(config_.idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
      idle_ = false;
      if (ec) {
        co_return;
      }
      buffer_.commit(n);
    }

    bhttp::request_parser<bhttp::empty_body> header_parser;
    header_parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(config_.header_limit, UINT32_MAX)));
    header_parser.body_limit(config_.default_body_limit);
    stream_.expires_after(config_.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, header_parser, use_tuple);
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await reject(bhttp::status::request_header_fields_too_large);
      } else if (is_http_parse_error(ec)) {
        co_await reject(bhttp::status::bad_request);
      }
      co_return;
    }
    // Beast applies its limit to the request line and to the fields separately; the documented
    // limit is on the whole header, so check the exact size it consumed as well.
    if (n > config_.header_limit) {
      co_await reject(bhttp::status::request_header_fields_too_large);
      co_return;
    }
    server_.requests_.fetch_add(1, std::memory_order_relaxed);

    bhttp::request_parser<bhttp::buffer_body> parser{std::move(header_parser)};
    request req{*this, parser, remote_, server_.pool_};
    response res = co_await server_.app_.handle(req);

    const bool body_read = parser.is_done();
    const bool keep_alive = parser.get().keep_alive() && body_read && !worker_.stopping;
    if (!co_await write(res, keep_alive)) {
      co_return;
    }
    if (!body_read) {
      co_await linger();
      co_return;
    }
    if (!keep_alive) {
      boost::system::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

asio::awaitable<void> session::reject(bhttp::status status) {
  response res = server_.app_.protocol_error(status);
  if (co_await write(res, false)) {
    co_await linger();
  }
}

asio::awaitable<bool> session::write(response& res, bool keep_alive) {
  auto& msg = res.message;
  msg.version(11);
  msg.keep_alive(keep_alive);
  const unsigned code = msg.result_int();
  if (code < 200 || code == 204 || code == 304) {
    msg.body().clear();
    res.file.reset();
    msg.erase(bhttp::field::content_length);
  } else if (res.file) {
    msg.body().clear();
    msg.content_length(res.file->size);
  } else if (msg.find(bhttp::field::content_length) == msg.end()) {
    msg.content_length(msg.body().size());
  }

  stream_.expires_after(config_.write_timeout);
  if (!res.file) {
    auto [ec, n] = co_await bhttp::async_write(stream_, msg, use_tuple);
    co_return !ec;
  }
  bhttp::response<bhttp::empty_body> head{std::move(msg.base())};
  if (!co_await send_header(head, res.file->size > 0)) {
    co_return false;
  }
  co_return co_await send_file(*res.file);
}

asio::awaitable<bool> session::send_header(const bhttp::response<bhttp::empty_body>& head,
                                           bool body_follows) {
  // Serialised by Beast, but sent with MSG_MORE when a body follows: the kernel holds the header
  // back until the first sendfile(2) pages join it, so a small object goes out in one segment
  // instead of a header-only packet (TCP_NODELAY is on) followed by the body. Without a body,
  // MSG_MORE would delay the header until the kernel's cork timer (200 ms).
  std::string bytes;
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  serializer.split(true);
  boost::system::error_code ec;
  while (!ec && !serializer.is_header_done()) {
    serializer.next(ec, [&](boost::system::error_code& inner, const auto& buffers) {
      inner = {};
      for (const auto b : beast::buffers_range_ref(buffers)) {
        bytes.append(static_cast<const char*>(b.data()), b.size());
      }
      serializer.consume(beast::buffer_bytes(buffers));
    });
  }
  if (ec) {
    co_return false;
  }
  auto& socket = stream_.socket();
  socket.native_non_blocking(true, ec);
  if (ec) {
    co_return false;
  }
  std::string_view left = bytes;
  while (!left.empty()) {
    const ssize_t sent = ::send(socket.native_handle(), left.data(), left.size(),
                                (body_follows ? MSG_MORE : 0) | MSG_NOSIGNAL);
    if (sent > 0) {
      left.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) {
      continue;
    }
    if (sent == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      co_return false;
    }
    if (!co_await wait_writable()) {
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> session::send_file(const file_region& file) {
  auto& socket = stream_.socket();
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) {
    co_return false;
  }
  off_t offset = static_cast<off_t>(file.offset);
  std::uint64_t remaining = file.size;
  while (remaining > 0) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(remaining, sendfile_chunk));
    const ssize_t sent = ::sendfile(socket.native_handle(), file.fd, &offset, want);
    if (sent > 0) {
      remaining -= static_cast<std::uint64_t>(sent);
      server_.sendfile_bytes_.fetch_add(static_cast<std::uint64_t>(sent),
                                        std::memory_order_relaxed);
      server_.sendfile_calls_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (sent == 0) {
      // The file is shorter than promised: the Content-Length already went out, so the only
      // honest thing left is to end the connection.
      co_return false;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      co_return false;
    }
    if (!co_await wait_writable()) {
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> session::wait_writable() {
  using namespace asio::experimental::awaitable_operators;
  timer_.expires_after(config_.write_timeout);
  auto outcome = co_await (stream_.socket().async_wait(tcp::socket::wait_write, use_tuple) ||
                           timer_.async_wait(use_tuple));
  if (outcome.index() != 0) {
    co_return false;
  }
  auto [ec] = std::get<0>(outcome);
  co_return !ec;
}

asio::awaitable<void> session::linger() {
  // Closing with unread bytes in the receive queue makes the kernel send RST, which can destroy
  // the response before the client reads it; so half-close and drain (bounded) first.
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16 * 1024> scratch{};
  std::uint64_t drained = 0;
  stream_.expires_after(config_.linger_timeout);
  while (drained < config_.linger_bytes) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(scratch), use_tuple);
    if (ec) {
      break;
    }
    drained += n;
  }
}

asio::awaitable<result<void>> request::send_continue_once() {
  // 100 Continue goes out on the first read even when the body is empty: botocore sends
  // `Expect: 100-continue` with empty PUTs and, answered without it, misreads the next response
  // on the same connection.
  if (continue_sent_) {
    co_return result<void>{};
  }
  continue_sent_ = true;
  const auto expect = parser_.get()[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    session& s = session_;
    s.stream_.expires_after(s.config_.write_timeout);
    auto [ec, n] =
        co_await asio::async_write(s.stream_, asio::buffer(continue_response), use_tuple);
    if (ec) {
      co_return errc::connection_error;
    }
  }
  co_return result<void>{};
}

asio::awaitable<result<std::string_view>> request::read_some() {
  session& s = session_;
  if (!s.body_buffer_) {
    s.body_buffer_ = std::make_unique<char[]>(s.config_.body_buffer_size);
  }
  co_return co_await read_some_into(
      std::span<char>(s.body_buffer_.get(), s.config_.body_buffer_size));
}

asio::awaitable<result<std::string_view>> request::read_some_into(std::span<char> into) {
  session& s = session_;
  if (auto sent = co_await send_continue_once(); !sent) {
    co_return sent.error();
  }
  if (parser_.is_done()) {
    co_return std::string_view{};
  }
  for (;;) {
    auto& body = parser_.get().body();
    body.data = into.data();
    body.size = into.size();
    s.stream_.expires_after(s.config_.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_some(s.stream_, s.buffer_, parser_, use_tuple);
    if (ec == bhttp::error::need_buffer) {
      ec = {};
    }
    if (ec) {
      co_return body_read_error(ec);
    }
    const std::size_t got = into.size() - body.size;
    if (got > 0) {
      co_return std::string_view(into.data(), got);
    }
    if (parser_.is_done()) {
      co_return std::string_view{};
    }
  }
}

asio::awaitable<result<std::string>> request::read_all(std::size_t limit) {
  if (const auto declared = content_length(); declared && *declared > limit) {
    co_return errc::body_too_large;
  }
  std::string out;
  for (;;) {
    auto chunk = co_await read_some();
    if (!chunk) {
      co_return chunk.error();
    }
    if (chunk->empty()) {
      co_return out;
    }
    if (out.size() + chunk->size() > limit) {
      co_return errc::body_too_large;
    }
    out.append(*chunk);
  }
}

response handler::protocol_error(bhttp::status status) {
  response res;
  res.message.result(status);
  res.message.set(bhttp::field::content_type, "text/plain");
  res.message.body() = std::string(bhttp::obsolete_reason(status)) + "\n";
  return res;
}

server::server(server_config config, handler& app)
    : config_(std::move(config)), app_(app), pool_(std::max(1u, config_.blocking_threads)) {}

server::~server() {
  stop();
  wait();
}

void server::start() {
  raise_open_file_limit();
  const unsigned threads =
      config_.threads != 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  tcp::endpoint endpoint = config_.listen;
  for (unsigned i = 0; i < threads; ++i) {
    auto w = std::make_unique<worker>();
    w->acceptor.open(endpoint.protocol());
    w->acceptor.set_option(tcp::acceptor::reuse_address(true));
    // Every worker listens on the same port; the kernel spreads connections between them.
    const int one = 1;
    if (::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) !=
        0) {
      throw boost::system::system_error(errno, boost::system::system_category(), "SO_REUSEPORT");
    }
    w->acceptor.bind(endpoint);
    w->acceptor.listen(asio::socket_base::max_listen_connections);
    if (i == 0) {
      endpoint.port(w->acceptor.local_endpoint().port());
      port_ = endpoint.port();
    }
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) {
    asio::co_spawn(w->ioc, accept_loop(*w), asio::detached);
    w->thread = std::thread([&ioc = w->ioc] { ioc.run(); });
  }
}

void server::stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  for (auto& w : workers_) {
    asio::post(w->ioc, [wp = w.get()] {
      wp->stopping = true;
      boost::system::error_code ignored;
      wp->acceptor.close(ignored);
      for (session* s : wp->sessions) {
        s->cancel_if_idle();
      }
    });
  }
}

void server::wait() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) {
      w->thread.join();
    }
  }
  pool_.join();
}

server_stats server::stats() const noexcept {
  server_stats s;
  s.connections_accepted = connections_accepted_.load(std::memory_order_relaxed);
  s.connections_rejected = connections_rejected_.load(std::memory_order_relaxed);
  s.connections_open = connections_open_.load(std::memory_order_relaxed);
  s.requests = requests_.load(std::memory_order_relaxed);
  s.sendfile_bytes = sendfile_bytes_.load(std::memory_order_relaxed);
  s.sendfile_calls = sendfile_calls_.load(std::memory_order_relaxed);
  return s;
}

asio::awaitable<void> server::accept_loop(worker& w) {
  asio::steady_timer backoff(w.ioc);
  for (;;) {
    auto [ec, socket] = co_await w.acceptor.async_accept(use_tuple);
    if (w.stopping || !w.acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      // EMFILE/ENFILE and friends: pause briefly instead of spinning on a full fd table.
      backoff.expires_after(std::chrono::milliseconds(10));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    connections_accepted_.fetch_add(1, std::memory_order_relaxed);
    if (connections_open_.fetch_add(1, std::memory_order_relaxed) >= config_.max_connections) {
      connections_open_.fetch_sub(1, std::memory_order_relaxed);
      connections_rejected_.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(w.ioc, run_session(w, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> server::run_session(worker& w, tcp::socket socket) {
  {
    session s{*this, w, std::move(socket)};
    w.sessions.insert(&s);
    try {
      co_await s.run();
    } catch (const std::exception& e) {
      // Last-resort catch: a bug in a handler ends its connection, not the process.
      std::fprintf(stderr, "onehop: connection ended by an exception: %s\n", e.what());
    }
    w.sessions.erase(&s);
  }
  connections_open_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace onehop::http
