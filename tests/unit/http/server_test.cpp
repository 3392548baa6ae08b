// The HTTP plumbing against a real server on 127.0.0.1 (port 0) and a blocking client.

#include "http/server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>

namespace onehop::http {
namespace {

using tcp = asio::ip::tcp;

std::uint64_t fnv1a(std::uint64_t h, std::string_view data) {
  for (const char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}
constexpr std::uint64_t fnv_basis = 14695981039346656037ull;

// Routes on the target; every route is real code the server drives.
class test_handler final : public handler {
 public:
  asio::awaitable<response> handle(request& req) override {
    response res;
    res.message.result(bhttp::status::ok);
    const std::string_view target = req.target();
    if (target == "/echo") {
      std::uint64_t size = 0;
      std::uint64_t hash = fnv_basis;
      std::size_t largest = 0;
      for (;;) {
        auto chunk = co_await req.read_some();
        if (!chunk) {
          last_error_ = chunk.error();
          res.message.result(bhttp::status::bad_request);
          res.message.body() = chunk.error().message();
          co_return res;
        }
        if (chunk->empty()) {
          break;
        }
        size += chunk->size();
        largest = std::max(largest, chunk->size());
        hash = fnv1a(hash, *chunk);
      }
      {
        std::lock_guard lock(mutex_);
        largest_chunk_ = std::max(largest_chunk_, largest);
      }
      res.message.body() = std::to_string(size) + " " + std::to_string(hash);
    } else if (target == "/echo_into") {
      // Alternates between two caller-owned buffers, as a double-buffering reader does.
      std::array<std::array<char, 1000>, 2> buffers{};
      std::uint64_t size = 0;
      std::uint64_t hash = fnv_basis;
      std::size_t largest = 0;
      for (std::size_t turn = 0;; ++turn) {
        auto& into = buffers[turn % 2];
        auto chunk = co_await req.read_some_into(into);
        if (!chunk) {
          res.message.result(bhttp::status::bad_request);
          res.message.body() = chunk.error().message();
          co_return res;
        }
        if (chunk->empty()) {
          break;
        }
        if (chunk->data() != into.data()) {
          res.message.result(bhttp::status::internal_server_error);
          co_return res;
        }
        size += chunk->size();
        largest = std::max(largest, chunk->size());
        hash = fnv1a(hash, *chunk);
      }
      {
        std::lock_guard lock(mutex_);
        largest_chunk_ = std::max(largest_chunk_, largest);
      }
      res.message.body() = std::to_string(size) + " " + std::to_string(hash);
    } else if (target == "/small") {
      req.body_limit(small_limit_);
      auto body = co_await req.read_all(1 << 20);
      if (!body) {
        res.message.result(bhttp::status::payload_too_large);
        res.message.body() = body.error().message();
      } else {
        res.message.body() = *body;
      }
    } else if (target == "/fields_text") {
      res.message.set(bhttp::field::content_type, "text/plain");
      res.fields_text = "X-One: 1\r\nX-Two: two\r\n";
      res.message.body() = "text";
    } else if (target == "/reject") {
      res.message.result(bhttp::status::forbidden);
      res.message.body() = "no";
    } else if (target == "/file") {
      res.file = file_region{file_fd_, file_offset_, file_size_, nullptr};
    } else if (target == "/head") {
      res.message.content_length(12345);
    } else if (target == "/blocking") {
      const auto before = std::this_thread::get_id();
      const auto inside = co_await req.run_blocking([] { return std::this_thread::get_id(); });
      const auto after = std::this_thread::get_id();
      res.message.body() = (before == after && inside != before) ? "same" : "moved";
    } else if (target == "/slow") {
      // Parks on the blocking pool until the test releases it.
      entered_.set_value();
      co_await req.run_blocking([this] { release_.get_future().wait(); });
      res.message.body() = "finished";
    } else {
      res.message.result(bhttp::status::not_found);
    }
    co_return res;
  }

  std::mutex mutex_;
  std::size_t largest_chunk_ = 0;
  boost::system::error_code last_error_;
  std::uint64_t small_limit_ = 100;
  int file_fd_ = -1;
  std::uint64_t file_offset_ = 0;
  std::uint64_t file_size_ = 0;
  std::promise<void> entered_;
  std::promise<void> release_;
};

class server_test : public ::testing::Test {
 protected:
  void start(server_config config = {}) {
    config.threads = 2;
    srv_ = std::make_unique<server>(config, handler_);
    srv_->start();
  }
  void TearDown() override {
    if (srv_) {
      srv_->stop();
      srv_->wait();
    }
  }

  tcp::socket connect() {
    tcp::socket socket(client_ioc_);
    socket.connect({asio::ip::make_address_v4("127.0.0.1"), srv_->port()});
    return socket;
  }

  static void send(tcp::socket& socket, std::string_view bytes) {
    asio::write(socket, asio::buffer(bytes));
  }

  bhttp::response<bhttp::string_body> read_response(tcp::socket& socket) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 32);
    bhttp::read(socket, client_buffer_, parser);
    return parser.release();
  }

  bhttp::response<bhttp::string_body> round_trip(std::string_view raw) {
    auto socket = connect();
    send(socket, raw);
    return read_response(socket);
  }

  // Reads until the server closes; returns whatever arrived.
  std::string read_to_close(tcp::socket& socket) {
    std::string out(static_cast<const char*>(client_buffer_.data().data()), client_buffer_.size());
    client_buffer_.consume(client_buffer_.size());
    boost::system::error_code ec;
    std::array<char, 4096> chunk{};
    for (;;) {
      const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
      if (ec) {
        break;
      }
      out.append(chunk.data(), n);
    }
    return out;
  }

  test_handler handler_;
  std::unique_ptr<server> srv_;
  asio::io_context client_ioc_;
  beast::flat_buffer client_buffer_;
};

std::string request_with_header_size(std::size_t total) {
  const std::string head = "GET /echo HTTP/1.1\r\nHost: t\r\nX-Pad: ";
  const std::string tail = "\r\n\r\n";
  return head + std::string(total - head.size() - tail.size(), 'a') + tail;
}

TEST_F(server_test, echoes_a_body_with_content_length) {
  start();
  auto res = round_trip("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res.body(), "5 " + std::to_string(fnv1a(fnv_basis, "hello")));
}

TEST_F(server_test, echoes_a_chunked_body) {
  start();
  auto res = round_trip(
      "PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
  EXPECT_EQ(res.body(), "5 " + std::to_string(fnv1a(fnv_basis, "hello")));
}

TEST_F(server_test, header_limit_at_n_and_n_plus_one) {
  server_config config;
  config.header_limit = 1024;
  start(config);
  EXPECT_EQ(round_trip(request_with_header_size(1024)).result(), bhttp::status::ok);
  EXPECT_EQ(round_trip(request_with_header_size(1025)).result(),
            bhttp::status::request_header_fields_too_large);
}

TEST_F(server_test, malformed_request_gets_400_and_close) {
  start();
  auto socket = connect();
  send(socket, "GET /echo HTTP/1.1\r\nHost t\r\n\r\n");
  const std::string raw = read_to_close(socket);
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << raw;
  EXPECT_NE(raw.find("Connection: close"), std::string::npos);
}

TEST_F(server_test, body_limit_at_n_and_n_plus_one) {
  start();
  handler_.small_limit_ = 10;
  EXPECT_EQ(
      round_trip("PUT /small HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789").body(),
      "0123456789");
  auto res = round_trip(
      "PUT /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
      "chunked\r\n\r\nb\r\n0123456789a\r\n0\r\n"
      "\r\n");
  EXPECT_EQ(res.result(), bhttp::status::payload_too_large);
}

TEST_F(server_test, keep_alive_and_pipelining_answer_in_order) {
  start();
  auto socket = connect();
  send(socket,
       "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\na"
       "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nbb"
       "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(read_response(socket).body(), "1 " + std::to_string(fnv1a(fnv_basis, "a")));
  EXPECT_EQ(read_response(socket).body(), "2 " + std::to_string(fnv1a(fnv_basis, "bb")));
  EXPECT_EQ(read_response(socket).result(), bhttp::status::not_found);
  EXPECT_EQ(srv_->stats().connections_accepted, 1u);
}

// A small body that arrives with its header is taken without a socket read; one that arrives
// later, or a byte at a time, goes through the reading path. All must give the same bytes.
TEST_F(server_test, small_bodies_read_whole_however_they_arrive) {
  start();
  auto socket = connect();
  send(socket,
       "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
       "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
       "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nab");
  EXPECT_EQ(read_response(socket).body(), "hello");
  EXPECT_EQ(read_response(socket).body(), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  send(socket, "c");  // the rest of the third body, in its own segment
  EXPECT_EQ(read_response(socket).body(), "abc");

  const std::string one_by_one = "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nwxyz";
  for (const char c : one_by_one) {
    send(socket, std::string_view(&c, 1));
  }
  EXPECT_EQ(read_response(socket).body(), "wxyz");
  EXPECT_EQ(srv_->stats().connections_accepted, 1u);
}

TEST_F(server_test, small_body_after_100_continue) {
  start();
  auto socket = connect();
  send(socket,
       "POST /small HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  std::array<char, 64> interim{};
  const std::string_view expected = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::read(socket, asio::buffer(interim.data(), expected.size()));
  EXPECT_EQ(std::string_view(interim.data(), expected.size()), expected);
  send(socket, "ok");
  EXPECT_EQ(read_response(socket).body(), "ok");
}

TEST_F(server_test, stalled_header_times_out_with_read_timeout) {
  server_config config;
  config.read_timeout = std::chrono::milliseconds(50);
  start(config);
  auto socket = connect();
  const auto started = std::chrono::steady_clock::now();
  send(socket, "GET /echo HTTP/1.1\r\nHost: t\r\n");  // never finished
  EXPECT_EQ(read_to_close(socket), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(server_test, preformatted_fields_are_sent_after_the_message_fields) {
  start();
  const auto res = round_trip("GET /fields_text HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(res["X-One"], "1");
  EXPECT_EQ(res["X-Two"], "two");
  EXPECT_EQ(res.body(), "text");
}

// Every worker binds with SO_REUSEPORT; a second server on the same port must still be refused,
// not given half of the connections.
TEST_F(server_test, a_port_in_use_is_refused_even_to_a_second_server) {
  start();
  server_config same_port;
  same_port.listen = {asio::ip::make_address_v4("127.0.0.1"), srv_->port()};
  test_handler other;
  server second(same_port, other);
  EXPECT_THROW(second.start(), boost::system::system_error);
  // The first one still answers every connection.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(round_trip("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n").result(),
              bhttp::status::not_found);
  }
}

TEST_F(server_test, idle_connection_is_closed_after_idle_timeout) {
  server_config config;
  config.idle_timeout = std::chrono::milliseconds(50);
  start(config);
  auto socket = connect();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(read_to_close(socket), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(server_test, stalled_body_times_out_with_read_timeout) {
  server_config config;
  config.read_timeout = std::chrono::milliseconds(50);
  start(config);
  auto socket = connect();
  send(socket, "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  // The handler sees the timeout and its answer still goes out (as S3 answers RequestTimeout);
  // then the connection closes, its body unread.
  const std::string got = read_to_close(socket);
  EXPECT_EQ(got.rfind("HTTP/1.1 400 ", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  srv_->stop();
  srv_->wait();
  EXPECT_EQ(handler_.last_error_, make_error_code(errc::timeout));
}

TEST_F(server_test, expect_continue_is_sent_only_when_the_body_is_read) {
  start();
  {
    auto socket = connect();
    send(socket,
         "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    std::string interim(25, '\0');
    asio::read(socket, asio::buffer(interim));
    EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    send(socket, "abcd");
    EXPECT_EQ(read_response(socket).body(), "4 " + std::to_string(fnv1a(fnv_basis, "abcd")));
  }
  {
    auto socket = connect();
    send(socket,
         "PUT /reject HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    const std::string raw = read_to_close(socket);
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 403")) << raw;
    EXPECT_EQ(raw.find("100 Continue"), std::string::npos);
  }
}

TEST_F(server_test, unread_body_closes_the_connection_after_the_response) {
  start();
  auto socket = connect();
  send(socket, "PUT /reject HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd");
  const std::string raw = read_to_close(socket);
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 403")) << raw;
  EXPECT_NE(raw.find("Connection: close"), std::string::npos);
}

TEST_F(server_test, large_body_streams_in_bounded_chunks) {
  server_config config;
  config.body_buffer_size = 64 * 1024;
  start(config);
  constexpr std::size_t total = 64ull << 20;
  auto socket = connect();
  send(socket,
       "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n");
  std::string block(1 << 20, '\0');
  std::uint64_t hash = fnv_basis;
  for (std::size_t sent = 0; sent < total; sent += block.size()) {
    for (std::size_t i = 0; i < block.size(); ++i) {
      block[i] = static_cast<char>((sent + i) * 31 % 251);
    }
    hash = fnv1a(hash, block);
    send(socket, block);
  }
  EXPECT_EQ(read_response(socket).body(), std::to_string(total) + " " + std::to_string(hash));
  // The handler never saw more than one buffer at a time: memory is per connection, not per body.
  EXPECT_LE(handler_.largest_chunk_, config.body_buffer_size);
  EXPECT_GT(handler_.largest_chunk_, 0u);
}

TEST_F(server_test, file_bodies_go_out_with_sendfile) {
  start();
  const auto path =
      std::filesystem::temp_directory_path() / ("onehop_sendfile_" + std::to_string(::getpid()));
  std::string content(3 << 20, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) {
    content[i] = static_cast<char>(i * 7 % 253);
  }
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
    std::fclose(f);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  handler_.file_fd_ = fd;
  handler_.file_offset_ = 100;
  handler_.file_size_ = content.size() - 200;

  auto socket = connect();
  send(socket, "GET /file HTTP/1.1\r\nHost: t\r\n\r\nGET /file HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto expected = content.substr(100, content.size() - 200);
  auto first = read_response(socket);
  auto second = read_response(socket);
  EXPECT_EQ(first.body(), expected);
  EXPECT_EQ(second.body(), expected);
  EXPECT_EQ(srv_->stats().sendfile_bytes, 2 * expected.size());
  ::close(fd);
  std::filesystem::remove(path);
}

TEST_F(server_test, read_some_into_fills_the_callers_buffer) {
  start();
  std::string body(300 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>(i * 13 % 241);
  }
  auto socket = connect();
  // With Expect: 100-continue the first read_some_into sends the interim response.
  send(socket, "PUT /echo_into HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n");
  std::string interim(25, '\0');
  asio::read(socket, asio::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send(socket, body);
  const auto res = read_response(socket);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), std::to_string(body.size()) + " " + std::to_string(fnv1a(fnv_basis, body)));
  EXPECT_LE(handler_.largest_chunk_, 1000u);
  EXPECT_GT(handler_.largest_chunk_, 0u);
}

// A Content-Length body is read from the socket straight into the caller's buffer, past the
// parser: it must stop at the body's end, so a request sent right behind it is answered too.
TEST_F(server_test, body_read_into_the_callers_buffer_stops_where_the_next_request_starts) {
  start();
  std::string body(3 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>(i * 29 % 239);
  }
  const std::string second = "tail of the pipeline";
  auto socket = connect();
  send(socket, "PUT /echo_into HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 100));
  // The rest of the body and the next request in one write: a read may take both.
  send(socket, body.substr(100) + "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                   std::to_string(second.size()) + "\r\n\r\n" + second);
  const auto first_res = read_response(socket);
  EXPECT_EQ(first_res.result_int(), 200);
  EXPECT_EQ(first_res.body(),
            std::to_string(body.size()) + " " + std::to_string(fnv1a(fnv_basis, body)));
  EXPECT_TRUE(first_res.keep_alive());
  const auto second_res = read_response(socket);
  EXPECT_EQ(second_res.body(),
            std::to_string(second.size()) + " " + std::to_string(fnv1a(fnv_basis, second)));
}

TEST_F(server_test, body_that_ends_early_is_incomplete) {
  start();
  auto socket = connect();
  send(socket, "PUT /echo_into HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" +
                   std::string(5000, 'x'));
  socket.shutdown(tcp::socket::shutdown_send);
  const auto res = read_response(socket);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.body(), make_error_code(errc::incomplete_body).message());
}

TEST_F(server_test, file_response_header_and_small_body_arrive_together) {
  start();
  const auto path = std::filesystem::temp_directory_path() /
                    ("onehop_sendfile_small_" + std::to_string(::getpid()));
  const std::string content = "small object body";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
    std::fclose(f);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  handler_.file_fd_ = fd;
  handler_.file_size_ = content.size();
  auto socket = connect();
  send(socket, "GET /file HTTP/1.1\r\nHost: t\r\n\r\n");
  // The header is sent with MSG_MORE, so it leaves with the body in one segment: the very first
  // read already holds the body. (Sent separately, with TCP_NODELAY, the header alone arrives.)
  std::array<char, 4096> first{};
  const std::size_t n = socket.read_some(asio::buffer(first));
  const std::string got(first.data(), n);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200")) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\n" + content)) << got;
  ::close(fd);
  std::filesystem::remove(path);
}

TEST_F(server_test, empty_file_response_is_complete_and_keeps_the_connection) {
  start();
  const auto path = std::filesystem::temp_directory_path() /
                    ("onehop_sendfile_empty_" + std::to_string(::getpid()));
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  handler_.file_fd_ = fd;
  handler_.file_size_ = 0;
  auto socket = connect();
  send(socket, "GET /file HTTP/1.1\r\nHost: t\r\n\r\nGET /file HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto first = read_response(socket);
  const auto second = read_response(socket);
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first[bhttp::field::content_length], "0");
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_TRUE(second.body().empty());
  ::close(fd);
  std::filesystem::remove(path);
}

TEST_F(server_test, head_response_keeps_its_content_length_and_sends_no_body) {
  start();
  auto socket = connect();
  send(socket, "HEAD /head HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);
  bhttp::read(socket, client_buffer_, parser);
  EXPECT_EQ(parser.get()[bhttp::field::content_length], "12345");
  EXPECT_EQ(read_response(socket).result(), bhttp::status::not_found);
}

TEST_F(server_test, blocking_work_runs_on_the_pool_and_resumes_on_the_connection_thread) {
  start();
  EXPECT_EQ(round_trip("GET /blocking HTTP/1.1\r\nHost: t\r\n\r\n").body(), "same");
}

TEST_F(server_test, connection_limit_at_n_and_n_plus_one) {
  server_config config;
  config.max_connections = 2;
  start(config);
  auto a = connect();
  auto b = connect();
  // Both are served (and so counted as open) before the third arrives.
  send(a, "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(read_response(a).result(), bhttp::status::not_found);
  send(b, "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(read_response(b).result(), bhttp::status::not_found);
  auto c = connect();
  boost::system::error_code ec;
  asio::write(c, asio::buffer(std::string_view("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n")), ec);
  EXPECT_EQ(read_to_close(c), "");
  EXPECT_EQ(srv_->stats().connections_rejected, 1u);
  a.close();
  b.close();
}

TEST_F(server_test, graceful_stop_finishes_in_flight_requests) {
  start();
  auto idle = connect();
  auto busy = connect();
  send(busy, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  handler_.entered_.get_future().wait();
  srv_->stop();
  // The idle connection is closed; the in-flight one still gets its answer, then closes.
  EXPECT_EQ(read_to_close(idle), "");
  handler_.release_.set_value();
  auto res = read_response(busy);
  EXPECT_EQ(res.body(), "finished");
  EXPECT_FALSE(res.keep_alive());
  srv_->wait();
  tcp::socket late(client_ioc_);
  boost::system::error_code ec;
  late.connect({asio::ip::make_address_v4("127.0.0.1"), srv_->port()}, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace onehop::http
