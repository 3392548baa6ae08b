#include "upload/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <vector>

#include "s3client/connection.hpp"

namespace onehop::upload {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds max_idle{std::chrono::seconds(30)};
// After a failed write, how long to wait for the answer the server may have sent before closing
// (a storage refusing a request it has not read the body of: expired URL, bad signature).
constexpr std::chrono::milliseconds early_answer_wait{std::chrono::seconds(5)};

const char* user_agent = "onehop-upload/1";

std::string describe(std::string_view stage, const boost::system::error_code& ec) {
  return std::string(stage) + ": " + ec.message();
}

// Reads one response; status 0 with `error` when none arrives.
template <class Stream>
asio::awaitable<http_response> read_response(Stream& stream, s3client::connection& conn,
                                             std::chrono::milliseconds timeout) {
  http_response out;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_body);
  conn.lowest().expires_after(timeout);
  auto [ec, n] = co_await bhttp::async_read(stream, conn.buffer, parser, use_tuple);
  if (ec) {
    out.error = describe("read", ec);
    co_return out;
  }
  auto& res = parser.get();
  out.status = res.result_int();
  out.body = std::move(res.body());
  if (auto it = res.find(bhttp::field::etag); it != res.end()) {
    out.etag = std::string(it->value());
  }
  if (auto it = res.find(bhttp::field::retry_after); it != res.end()) {
    out.retry_after = std::string(it->value());
  }
  co_return out;
}

template <class Stream>
asio::awaitable<std::pair<http_response, bool>> exchange(
    Stream& stream, s3client::connection& conn, const http_url& url, const http_request& r,
    std::chrono::milliseconds timeout, const std::function<void(std::uint64_t)>& on_body_bytes) {
  bhttp::request<bhttp::buffer_body> req{r.method, url.target, 11};
  req.set(bhttp::field::host, url.host_header);
  req.set(bhttp::field::user_agent, user_agent);
  for (const auto& [name, value] : r.headers) {
    req.set(name, value);
  }
  const std::uint64_t file_size = r.file ? r.file->size : 0;
  const std::uint64_t length = r.body.size() + file_size + r.body_suffix.size();
  const bool has_body = length > 0 || r.method == bhttp::verb::put || r.method == bhttp::verb::post;
  if (has_body) {
    req.content_length(length);
  }
  req.keep_alive(true);
  req.body().data = nullptr;
  req.body().more = true;
  bhttp::request_serializer<bhttp::buffer_body> sr{req};

  boost::system::error_code ec;
  auto write_piece = [&](const void* data, std::size_t size, bool more) -> asio::awaitable<void> {
    req.body().data = const_cast<void*>(data);
    req.body().size = size;
    req.body().more = more;
    conn.lowest().expires_after(timeout);
    auto [wec, n] = co_await bhttp::async_write(stream, sr, use_tuple);
    if (wec == bhttp::error::need_buffer) {
      wec = {};
    }
    ec = wec;
  };

  conn.lowest().expires_after(timeout);
  auto [hec, hn] = co_await bhttp::async_write_header(stream, sr, use_tuple);
  ec = hec;
  if (!ec && !r.body.empty()) {
    co_await write_piece(r.body.data(), r.body.size(), true);
  }
  std::string read_error;
  if (!ec && r.file) {
    std::vector<std::uint8_t> chunk(file_chunk_bytes);
    std::uint64_t sent = 0;
    while (!ec && sent < file_size) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file_size - sent));
      auto n = r.file->file->read_at(r.file->offset + sent, std::span(chunk.data(), want));
      if (!n || *n != want) {
        read_error = n ? std::string("file shrank while being sent") : n.error().message;
        break;
      }
      co_await write_piece(chunk.data(), want, true);
      if (!ec) {
        sent += want;
        if (on_body_bytes) {
          on_body_bytes(want);
        }
      }
    }
  }
  if (!read_error.empty()) {
    http_response out;
    out.error = "reading the file: " + read_error;
    co_return std::pair{std::move(out), false};
  }
  if (!ec && !r.body_suffix.empty()) {
    co_await write_piece(r.body_suffix.data(), r.body_suffix.size(), true);
  }
  if (!ec) {
    co_await write_piece(nullptr, 0, false);
  }
  if (ec) {
    // The server may have answered and closed without reading the body; that answer says more
    // than "connection reset".
    auto early = co_await read_response(stream, conn, early_answer_wait);
    if (early.status != 0) {
      co_return std::pair{std::move(early), false};
    }
    http_response out;
    out.error = describe("write", ec);
    co_return std::pair{std::move(out), false};
  }
  auto res = co_await read_response(stream, conn, timeout);
  const bool reusable = res.status != 0;
  co_return std::pair{std::move(res), reusable};
}

}  // namespace

wire_result<http_url> parse_http_url(std::string_view text) {
  auto u = boost::urls::parse_absolute_uri(text);
  if (!u) {
    return wire_error{"not an absolute URL: " + std::string(text)};
  }
  http_url out;
  const auto scheme = u->scheme();
  if (scheme == "https") {
    out.https = true;
  } else if (scheme != "http") {
    return wire_error{"not an http(s) URL: " + std::string(text)};
  }
  if (!u->has_authority() || u->encoded_host().empty()) {
    return wire_error{"URL without a host: " + std::string(text)};
  }
  if (u->has_userinfo()) {
    return wire_error{"URL with user information is not supported: " + std::string(text)};
  }
  out.host = u->host_type() == boost::urls::host_type::ipv6 ? std::string(u->encoded_host_address())
                                                            : std::string(u->encoded_host());
  out.host_header = std::string(u->encoded_host_and_port());
  if (u->has_port()) {
    const auto port = u->port_number();
    if (port == 0) {
      return wire_error{"bad port in URL: " + std::string(text)};
    }
    out.port = port;
  } else {
    out.port = out.https ? 443 : 80;
  }
  // The path and query exactly as written: signed URLs must reach the server byte for byte.
  out.target = std::string(u->encoded_path());
  if (out.target.empty()) {
    out.target = "/";
  }
  if (u->has_query()) {
    out.target += '?';
    out.target += std::string(u->encoded_query());
  }
  return out;
}

http_client::http_client(settings s)
    : settings_(s), tls_(std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client)) {
  tls_->set_default_verify_paths();
}

void http_client::abort_all() {
  for (auto* c : in_flight_) {
    boost::system::error_code ignored;
    c->lowest().socket().close(ignored);
  }
}

asio::awaitable<http_response> http_client::send(
    const http_request& r, const std::function<void(std::uint64_t)>& on_body_bytes) {
  auto url = parse_http_url(r.url);
  if (!url) {
    http_response out;
    out.error = url.error().message;
    co_return out;
  }
  s3client::connect_target target;
  target.host = url->host;
  target.port = url->port;
  target.tls = url->https ? tls_ : nullptr;
  const std::string key = target.key();

  auto executor = co_await asio::this_coro::executor;
  auto& pool = asio::use_service<s3client::pool_service>(
      static_cast<asio::execution_context&>(asio::query(executor, asio::execution::context)));
  auto conn = pool.take(key, max_idle);
  if (!conn) {
    auto [fresh, failure] = co_await s3client::connect(target, settings_.connect_timeout);
    if (!fresh) {
      http_response out;
      out.error = failure ? describe(failure->stage, failure->ec) : "connect failed";
      co_return out;
    }
    conn = std::move(fresh);
  }

  in_flight_.insert(conn.get());
  std::pair<http_response, bool> result;
  if (conn->tls) {
    result = co_await exchange(*conn->tls, *conn, *url, r, settings_.io_timeout, on_body_bytes);
  } else {
    result = co_await exchange(*conn->tcp, *conn, *url, r, settings_.io_timeout, on_body_bytes);
  }
  in_flight_.erase(conn.get());
  if (result.second && conn->lowest().socket().is_open()) {
    conn->lowest().expires_never();
    pool.give(key, std::move(conn), settings_.max_idle_per_host);
  }
  co_return std::move(result.first);
}

}  // namespace onehop::upload
