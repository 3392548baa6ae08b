#include "s3client/client_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <random>
#include <stdexcept>

#include "sigv4/crypto.hpp"

namespace onehop::s3client {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using std::chrono::milliseconds;

std::uint16_t port_of(const sigv4::s3_endpoint& e) {
  if (e.port != 0) {
    return e.port;
  }
  return e.scheme == "https" ? 443 : 80;
}

std::string unbracketed(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

std::shared_ptr<asio::ssl::context> make_tls_context(const client_config& config) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  ctx->set_default_verify_paths();
  if (!config.ca_file.empty()) {
    ctx->load_verify_file(config.ca_file);  // throws: a start-up error
  }
  return ctx;
}

double unit_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// A socket error that means "the server closed this connection before answering".
bool is_closed_by_peer(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

s3_error transport_error(std::string_view operation, std::string_view what,
                         const boost::system::error_code& ec) {
  std::string message(operation);
  message += ": ";
  message += what;
  message += ": ";
  message += ec == beast::error::timeout ? std::string("timed out") : ec.message();
  return s3_error{errc::unavailable, 0, {}, std::move(message)};
}

s3_error status_error(std::string_view operation, unsigned status, std::string_view body) {
  s3_error e{classify_status(status), status, {}, {}};
  if (auto doc = xml::parse_error(body)) {
    e.s3_code = std::move(doc->code);
    e.message = std::move(doc->message);
  }
  if (e.s3_code.empty()) {
    e.s3_code = std::string(status_code_name(status));
  }
  if (e.message.empty()) {
    e.message = std::string(operation) + ": HTTP " + std::to_string(status);
  }
  return e;
}

bool is_retryable_error_code(std::string_view code) {
  return code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable" ||
         code == "RequestTimeout";
}

}  // namespace

struct client::impl::outcome {
  enum class kind { response, connect_failed, stale, transport, fatal };
  kind what = kind::fatal;
  reply response;
  s3_error error;
};

client::impl::impl(client_config c) : config(std::move(c)) {
  const auto& endpoint = config.signer.endpoint;
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    throw std::invalid_argument("s3client: endpoint scheme must be http or https");
  }
  const bool virtual_hosted = config.signer.style == sigv4::addressing_style::virtual_hosted;
  target.host = virtual_hosted ? config.bucket + "." + endpoint.host : unbracketed(endpoint.host);
  target.port = port_of(endpoint);
  target.verify_tls = config.verify_tls;
  if (endpoint.scheme == "https") {
    target.tls = make_tls_context(config);
  }
  pool_key = target.key();
  // Bucket-level requests sign no key. The signer requires a key with a bucket, so they are
  // signed as endpoint-root requests: path style as the key `<bucket>` (path `/<bucket>`),
  // virtual-hosted style against the host `<bucket>.<host>` with an empty key (path `/`).
  bucket_signer_config_ = config.signer;
  if (virtual_hosted) {
    bucket_signer_config_.endpoint.host = config.bucket + "." + endpoint.host;
  }
}

std::unique_ptr<sigv4::presigner> client::impl::borrow_signer(bool bucket_level) {
  {
    std::lock_guard lock(signers_mutex_);
    auto& pool = bucket_level ? bucket_signers_ : object_signers_;
    if (!pool.empty()) {
      auto s = std::move(pool.back());
      pool.pop_back();
      return s;
    }
  }
  return std::make_unique<sigv4::presigner>(bucket_level ? bucket_signer_config_ : config.signer);
}

void client::impl::return_signer(bool bucket_level, std::unique_ptr<sigv4::presigner> s) {
  std::lock_guard lock(signers_mutex_);
  (bucket_level ? bucket_signers_ : object_signers_).push_back(std::move(s));
}

result<void> client::impl::sign(call& c, sigv4::header_auth& out) {
  std::vector<sigv4::query_param> query;
  query.reserve(c.query.size());
  for (const auto& [name, value] : c.query) {
    query.push_back({name, value});
  }
  std::vector<sigv4::header_field> headers;
  headers.reserve(c.headers.size());
  for (const auto& [name, value] : c.headers) {
    headers.push_back({name, value});
  }
  std::string payload_hash(sigv4::empty_sha256_hex);
  if (!c.body.empty()) {
    payload_hash = sigv4::to_hex(sigv4::sha256(c.body));
  }
  sigv4::sign_request request;
  request.method = bhttp::to_string(c.method);
  if (c.bucket_level) {
    const bool virtual_hosted = config.signer.style == sigv4::addressing_style::virtual_hosted;
    request.key = virtual_hosted ? std::string_view{} : std::string_view{config.bucket};
  } else {
    request.bucket = config.bucket;
    request.key = c.key;
  }
  request.query = query;
  request.headers = headers;
  request.payload_hash = payload_hash;
  const auto now = std::chrono::floor<std::chrono::seconds>(config.clock());
  auto signer = borrow_signer(c.bucket_level);
  auto signed_ok = signer->sign(out, request, now);
  return_signer(c.bucket_level, std::move(signer));
  if (!signed_ok) {
    return s3_error{errc::bad_request, 0, "InvalidArgument",
                    std::string(c.operation) +
                        ": the request cannot be signed (bad key, "
                        "bucket or header value)"};
  }
  return {};
}

namespace {

struct exchange_result {
  bool stale = false;  // failed before any response byte on a connection that was reused
  bool fatal = false;  // an answer arrived but is unusable (over its size cap): no retry
  bool reusable = false;
  std::optional<s3_error> error;
};

template <class Stream>
asio::awaitable<exchange_result> exchange(Stream& stream, connection& conn, const call& c,
                                          bhttp::request<bhttp::span_body<const char>>& request,
                                          milliseconds timeout, reply& out) {
  exchange_result result;
  auto& lowest = conn.lowest();
  lowest.expires_after(timeout);
  auto [wec, written] = co_await bhttp::async_write(stream, request, use_tuple);
  if (wec) {
    result.stale = conn.reused && is_closed_by_peer(wec);
    result.error = transport_error(c.operation, "sending the request", wec);
    co_return result;
  }

  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // enforced below
  if (c.method == bhttp::verb::head) {
    parser.skip(true);
  }
  auto [hec, header_bytes] =
      co_await bhttp::async_read_header(stream, conn.buffer, parser, use_tuple);
  if (hec) {
    result.stale = conn.reused && is_closed_by_peer(hec) && conn.buffer.size() == 0;
    result.error = transport_error(c.operation, "reading the response", hec);
    co_return result;
  }
  out.status = parser.get().result_int();
  out.header = parser.get().base();

  const bool success = out.status >= 200 && out.status <= 299;
  const bool streamed = success && c.sink;
  const std::uint64_t limit = success ? c.max_body : xml::max_document_size;
  const errc over = success ? c.over_limit : errc::protocol;
  auto over_limit = [&] {
    return s3_error{over,
                    out.status,
                    {},
                    std::string(c.operation) + ": response body larger than " +
                        std::to_string(limit) + " bytes"};
  };
  // A HEAD's Content-Length describes the object, not a body that follows.
  if (const auto declared = parser.content_length();
      c.method != bhttp::verb::head && declared && *declared > limit) {
    result.fatal = true;
    result.error = over_limit();
    co_return result;
  }
  if (streamed && c.start) {
    c.start();
  }
  if (!conn.chunk) {
    conn.chunk = std::make_unique<char[]>(body_chunk_size);
  }
  std::uint64_t total = 0;
  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = conn.chunk.get();
    body.size = body_chunk_size;
    body.more = true;
    lowest.expires_after(timeout);
    auto [rec, n] = co_await bhttp::async_read(stream, conn.buffer, parser, use_tuple);
    if (rec && rec != bhttp::error::need_buffer) {
      result.error = transport_error(c.operation, "reading the response body", rec);
      co_return result;
    }
    const std::size_t got = body_chunk_size - body.size;
    total += got;
    if (total > limit) {
      result.fatal = true;
      result.error = over_limit();
      co_return result;
    }
    const std::string_view data(conn.chunk.get(), got);
    if (!streamed) {
      out.body.append(data);
    } else if (!data.empty() && c.sink(data) == sink_action::done) {
      co_return result;  // the rest of the body stays unread: the connection is not reused
    }
  }
  lowest.expires_never();
  result.reusable = parser.get().keep_alive() && conn.buffer.size() == 0;
  co_return result;
}

}  // namespace

asio::awaitable<client::impl::outcome> client::impl::attempt(call& c, pool_service& pool) {
  outcome out;
  sigv4::header_auth auth;
  if (auto signed_ok = sign(c, auth); !signed_ok) {
    out.error = signed_ok.error();
    co_return out;
  }

  auto conn = pool.take(pool_key, config.max_idle_time);
  if (!conn) {
    auto [fresh, failure] = co_await connect(target, config.connect_timeout);
    if (!fresh) {
      out.what = outcome::kind::connect_failed;
      out.error = transport_error(
          c.operation, failure->stage + " " + target.host + ":" + std::to_string(target.port),
          failure->ec);
      co_return out;
    }
    conn = std::move(fresh);
  }

  bhttp::request<bhttp::span_body<const char>> request{c.method, auth.target, 11};
  request.set(bhttp::field::host, auth.host);
  request.set("x-amz-date", auth.amz_date);
  request.set("x-amz-content-sha256", auth.content_sha256);
  if (!auth.security_token.empty()) {
    request.set("x-amz-security-token", auth.security_token);
  }
  request.set(bhttp::field::authorization, auth.authorization);
  for (const auto& [name, value] : c.headers) {
    request.set(name, value);
  }
  request.body() = beast::span<const char>(c.body.data(), c.body.size());
  request.keep_alive(true);
  request.prepare_payload();

  exchange_result x;
  if (conn->tls) {
    x = co_await exchange(*conn->tls, *conn, c, request, config.request_timeout, out.response);
  } else {
    x = co_await exchange(*conn->tcp, *conn, c, request, config.request_timeout, out.response);
  }
  if (x.error) {
    out.what = x.fatal   ? outcome::kind::fatal
               : x.stale ? outcome::kind::stale
                         : outcome::kind::transport;
    out.error = std::move(*x.error);
    co_return out;
  }
  if (x.reusable) {
    pool.give(pool_key, std::move(conn), config.max_idle_per_executor);
  }
  out.what = outcome::kind::response;
  co_return out;
}

asio::awaitable<result<reply>> client::impl::perform(call& c) {
  auto executor = co_await asio::this_coro::executor;
  auto& pool = asio::use_service<pool_service>(asio::query(executor, asio::execution::context));
  const unsigned max_attempts = std::max(1u, config.retry.max_attempts);
  bool stale_retried = false;
  unsigned failed = 0;
  for (;;) {
    outcome o = co_await attempt(c, pool);
    std::optional<milliseconds> retry_after;
    bool retryable = false;
    switch (o.what) {
      case outcome::kind::fatal:
        co_return std::move(o.error);
      case outcome::kind::stale:
        if (c.idempotent && !stale_retried) {
          stale_retried = true;  // the server closed an idle connection: not a real attempt
          continue;
        }
        retryable = c.idempotent;
        break;
      case outcome::kind::connect_failed:
        retryable = true;
        break;
      case outcome::kind::transport:
        retryable = c.idempotent;
        break;
      case outcome::kind::response: {
        const unsigned status = o.response.status;
        if (status >= 200 && status <= 299) {
          if (c.error_in_200) {
            if (auto doc = xml::parse_error(o.response.body)) {
              const bool transient = is_retryable_error_code(doc->code);
              o.error = s3_error{transient ? errc::unavailable : errc::bad_request, status,
                                 std::move(doc->code), std::move(doc->message)};
              retryable = transient;
              break;
            }
          }
          co_return std::move(o.response);
        }
        o.error = status_error(c.operation, status, o.response.body);
        retryable = is_retryable_status(status);
        if (retryable) {
          if (const auto it = o.response.header.find(bhttp::field::retry_after);
              it != o.response.header.end()) {
            retry_after = parse_retry_after(
                it->value(), std::chrono::floor<std::chrono::seconds>(config.clock()));
          }
        }
        break;
      }
    }
    ++failed;
    if (!retryable || failed >= max_attempts) {
      if (o.error.code == errc::unavailable && failed > 1) {
        o.error.message += " (after " + std::to_string(failed) + " attempts)";
      }
      co_return std::move(o.error);
    }
    const auto delay = backoff_delay(config.retry, failed, unit_random(), retry_after);
    if (config.on_retry) {
      config.on_retry(retry_event{c.operation, failed, delay, o.response.status});
    }
    asio::steady_timer timer(executor);
    timer.expires_after(delay);
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace onehop::s3client
