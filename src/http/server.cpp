#include "http/server.hpp"

#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
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
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset) {
    return errc::incomplete_body;
  }
  if (is_http_parse_error(ec)) {
    return errc::bad_request;
  }
  return errc::connection_error;
}

// How often a worker's watchdog checks its sessions' deadlines: a quarter of the shortest timeout,
// between 5 and 250 ms, so a deadline is enforced within 25% of its length.
std::chrono::milliseconds watchdog_interval(const server_config& c) {
  const auto shortest =
      std::min({c.idle_timeout, c.read_timeout, c.write_timeout, c.linger_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
}

// "HTTP/1.1 <code> <reason>\r\n", every field as "Name: value\r\n", the preformatted ones, then
// the blank line: what Beast's serializer produces for a header, without its buffer-sequence
// machinery.
void append_head(std::string& out, const bhttp::response_header<>& head,
                 std::string_view fields_text) {
  const unsigned code = std::min(head.result_int(), 999u);
  char status[] = "HTTP/1.1 000 ";
  status[9] = static_cast<char>('0' + code / 100);
  status[10] = static_cast<char>('0' + code / 10 % 10);
  status[11] = static_cast<char>('0' + code % 10);
  out.append(status, sizeof status - 1);
  out.append(head.reason());
  out.append("\r\n");
  for (const auto& field : head) {
    out.append(field.name_string());
    out.append(": ");
    out.append(field.value());
    out.append("\r\n");
  }
  out.append(fields_text);
  out.append("\r\n");
}

// CLOCK_MONOTONIC_COARSE is read from the vDSO without touching the clock source: a few
// nanoseconds, in steps of a scheduler tick (1-4 ms), plenty for deadlines of seconds.
std::chrono::nanoseconds coarse_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// SO_REUSEPORT lets a second process of the same user join the port's listeners, and the kernel
// would then split connections between the two: a second store on another data folder would get
// half the PUTs. So before the workers bind with it, a plain bind (SO_REUSEADDR only, which
// Linux refuses while anything listens there, but not for TIME_WAIT leftovers) must succeed.
void ensure_port_is_free(const asio::ip::tcp::endpoint& endpoint) {
  if (endpoint.port() == 0) {
    return;  // an ephemeral port is new by definition
  }
  asio::io_context scratch;
  asio::ip::tcp::acceptor probe(scratch);
  probe.open(endpoint.protocol());
  probe.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  boost::system::error_code ec;
  probe.bind(endpoint, ec);
  if (ec) {
    throw boost::system::system_error(
        ec, "bind " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()));
  }
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
  asio::steady_timer watchdog{ioc};
  std::unordered_set<session*> sessions;  // touched only on this worker's thread
  bool stopping = false;
  std::thread thread;
};

// Timeouts: a session keeps one deadline for the I/O operation in progress (set by arm(), cleared
// by disarm()), and its worker's watchdog cancels the operation once the deadline has passed. A
// timer per operation, as beast::tcp_stream arms, costs a timer-queue insertion and removal on
// every read and write.
class session {
 public:
  session(server& srv, server::worker& w, tcp::socket socket)
      : server_(srv), worker_(w), config_(srv.config_), socket_(std::move(socket)) {
    boost::system::error_code ec;
    remote_ = socket_.remote_endpoint(ec);
  }

  asio::awaitable<void> run();

  void cancel_if_idle() {
    if (idle_) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  }

  // Called by the watchdog on this session's thread, with coarse_now().
  void cancel_if_overdue(std::chrono::nanoseconds now) {
    if (deadline_ <= now) {
      deadline_ = no_deadline;
      timed_out_ = true;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
  }

 private:
  friend class request;

  static constexpr auto no_deadline = std::chrono::nanoseconds::max();

  void arm(std::chrono::milliseconds timeout) {
    deadline_ = coarse_now() + timeout;
    timed_out_ = false;
  }
  void disarm() { deadline_ = no_deadline; }

  template <bool isRequest>
  asio::awaitable<boost::system::error_code> parse_some(bhttp::basic_parser<isRequest>& parser,
                                                        std::chrono::milliseconds timeout);

  asio::awaitable<bool> write(response& res, bool keep_alive);
  asio::awaitable<bool> send_header(bool body_follows);
  asio::awaitable<bool> send_file(const file_region& file);
  asio::awaitable<bool> wait_writable();
  asio::awaitable<void> linger();
  asio::awaitable<void> reject(bhttp::status status);

  server& server_;
  server::worker& worker_;
  const server_config& config_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::unique_ptr<char[]> body_buffer_;
  std::string head_;  // the response header being written, reused across requests
  tcp::endpoint remote_;
  std::chrono::nanoseconds deadline_ = no_deadline;
  std::size_t parsed_bytes_ = 0;  // bytes the parsers took from buffer_, for the header limit
  bool timed_out_ = false;
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
      arm(config_.idle_timeout);
      auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
      disarm();
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
    boost::system::error_code ec;
    parsed_bytes_ = 0;
    while (!ec && !header_parser.is_header_done()) {
      ec = co_await parse_some(header_parser, config_.read_timeout);
    }
    const std::size_t n = parsed_bytes_;
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

    const bool body_read = req.body_done();
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
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

// Feeds the parser from buffer_ and reads from the socket only when it needs more bytes: the loop
// of Beast's http::async_read_some, without its posted completion when the bytes are already
// buffered (the usual case: a small request arrives whole, and its body with its header).
template <bool isRequest>
asio::awaitable<boost::system::error_code> session::parse_some(
    bhttp::basic_parser<isRequest>& parser, std::chrono::milliseconds timeout) {
  for (;;) {
    if (buffer_.size() != 0) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      parsed_bytes_ += used;
      if (ec != bhttp::error::need_more) {
        co_return ec;
      }
    }
    const std::size_t size = beast::read_size(buffer_, 65536);
    if (size == 0) {
      co_return bhttp::error::buffer_overflow;
    }
    arm(timeout);
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(size), use_tuple);
    disarm();
    buffer_.commit(n);
    if (ec == asio::error::eof) {
      if (!parser.got_some()) {
        co_return bhttp::error::end_of_stream;
      }
      boost::system::error_code eof_ec;
      parser.put_eof(eof_ec);  // a message delimited by the end of the stream is complete
      co_return eof_ec;
    }
    if (ec) {
      co_return ec;
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

  head_.clear();
  append_head(head_, msg.base(), res.fields_text);
  if (!res.file) {
    // Header and body in one gathered write.
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(msg.body())};
    arm(config_.write_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, buffers, use_tuple);
    disarm();
    co_return !ec;
  }
  if (!co_await send_header(res.file->size > 0)) {
    co_return false;
  }
  co_return co_await send_file(*res.file);
}

asio::awaitable<bool> session::send_header(bool body_follows) {
  // Sent with MSG_MORE when a body follows: the kernel holds the header back until the first
  // sendfile(2) pages join it, so a small object goes out in one segment instead of a
  // header-only packet (TCP_NODELAY is on) followed by the body. Without a body, MSG_MORE would
  // delay the header until the kernel's cork timer (200 ms).
  auto& socket = socket_;
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) {
    co_return false;
  }
  std::string_view left = head_;
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
  auto& socket = socket_;
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
  arm(config_.write_timeout);
  auto [ec] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple);
  disarm();
  co_return !ec;
}

asio::awaitable<void> session::linger() {
  // Closing with unread bytes in the receive queue makes the kernel send RST, which can destroy
  // the response before the client reads it; so half-close and drain (bounded) first.
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16 * 1024> scratch{};
  std::uint64_t drained = 0;
  arm(config_.linger_timeout);  // one deadline for the whole drain
  while (drained < config_.linger_bytes) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(scratch), use_tuple);
    if (ec) {
      break;
    }
    drained += n;
  }
  disarm();
}

asio::awaitable<result<void>> request::send_continue_once() {
  // 100 Continue goes out on the first read even when the body is empty: botocore sends
  // `Expect: 100-continue` with empty PUTs and, answered without it, misreads the next response
  // on the same connection.
  if (continue_sent_) {
    co_return result<void>{};
  }
  continue_sent_ = true;
  if (expects_continue()) {
    session& s = session_;
    s.arm(s.config_.write_timeout);
    auto [ec, n] =
        co_await asio::async_write(s.socket_, asio::buffer(continue_response), use_tuple);
    s.disarm();
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
  if (body_done()) {
    co_return std::string_view{};
  }
  // A Content-Length body whose buffered bytes have all been parsed: the rest is read from the
  // socket straight into `into`, as much as one read gives, instead of 64 KiB at a time through
  // the session buffer and a copy by the parser. It never reads past the body, so a pipelined
  // request stays in the socket for the next round.
  if (!unparsed_remaining_ && s.buffer_.size() == 0 && !parser_.chunked() &&
      parser_.content_length_remaining()) {
    unparsed_remaining_ = *parser_.content_length_remaining();
  }
  if (unparsed_remaining_) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), *unparsed_remaining_));
    s.arm(s.config_.read_timeout);
    auto [ec, got] = co_await s.socket_.async_read_some(asio::buffer(into.data(), want), use_tuple);
    s.disarm();
    if (ec) {  // eof included: the body ended early
      co_return s.timed_out_ ? errc::timeout : body_read_error(ec);
    }
    *unparsed_remaining_ -= got;
    co_return std::string_view(into.data(), got);
  }
  for (;;) {
    auto& body = parser_.get().body();
    body.data = into.data();
    body.size = into.size();
    auto ec = co_await s.parse_some(parser_, s.config_.read_timeout);
    if (ec == bhttp::error::need_buffer) {
      ec = {};
    }
    if (ec) {
      co_return s.timed_out_ ? errc::timeout : body_read_error(ec);
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

bool request::take_buffered_body(std::string& out) {
  const auto declared = parser_.content_length();
  session& s = session_;
  if (!declared || *declared > s.buffer_.size() || (!continue_sent_ && expects_continue())) {
    return false;
  }
  out.resize(static_cast<std::size_t>(*declared));
  if (parser_.is_done()) {
    return true;  // Content-Length: 0
  }
  auto& body = parser_.get().body();
  body.data = out.data();
  body.size = out.size();
  boost::system::error_code ec;
  const std::size_t used = parser_.put(s.buffer_.data(), ec);
  s.buffer_.consume(used);
  if (ec || !parser_.is_done()) {
    // Cannot happen with a Content-Length body that is all buffered; the slow path reports it.
    out.resize(out.size() - body.size);
    return false;
  }
  return true;
}

bool request::expects_continue() const {
  return beast::iequals(parser_.get()[bhttp::field::expect], "100-continue");
}

asio::awaitable<result<std::string>> request::read_all(std::size_t limit) {
  if (const auto declared = content_length(); declared && *declared > limit) {
    co_return errc::body_too_large;
  }
  std::string out;
  // A small body usually arrives with its header: take it without suspending.
  if (take_buffered_body(out)) {
    co_return out;
  }
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
  ensure_port_is_free(endpoint);
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
    asio::co_spawn(w->ioc, watchdog(*w), asio::detached);
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

asio::awaitable<void> server::watchdog(worker& w) {
  const auto interval = watchdog_interval(config_);
  // Runs until the worker stops and its last session has ended (the timer keeps run() going).
  while (!(w.stopping && w.sessions.empty())) {
    w.watchdog.expires_after(interval);
    co_await w.watchdog.async_wait(use_tuple);
    const auto now = coarse_now();
    for (session* s : w.sessions) {
      s->cancel_if_overdue(now);
    }
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
