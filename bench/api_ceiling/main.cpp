// bench_api_ceiling: the ceiling of the upload-API benchmark (bench/api/run.sh).
//
// A single-threaded Beast/Asio HTTP/1.1 server that parses each request (header and body, as any
// server must) and answers every one with the same pre-built bytes: a 201 with a JSON body the size
// of onehop's answer to `POST /api/uploads`. No routing, no authentication, no signing, no
// allocation per response. What `wrk` measures against it is the cost of the setup itself (the
// loopback, the kernel, Beast's parser and one write per request) on one core: no server doing
// real work on the same core can answer faster.
//
// Usage: bench_api_ceiling [HOST [PORT]]     (default 127.0.0.1 8090; port 0 picks a free one)
// Prints `listening on HOST:PORT` once ready. Stops on SIGINT/SIGTERM.
//
// Deliberately without per-operation deadlines (house style wants one on every read and write):
// a timer per operation is real work that would lower the ceiling. This is a measuring instrument
// bound to the loopback for the length of one benchmark run, never a server to deploy.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The same limits onehop's API applies: 16 KiB of header, 64 KiB of JSON body.
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;

// Shaped like onehop's 201 answer to `POST /api/uploads` (docs/api.md, PUT answer): the same
// fields, a presigned URL of the real length, so the bytes on the wire match.
constexpr std::string_view response_body =
    R"({"uploadId":"u_3k9f2c7d1a6b4e8f0a5c9d2e7b1f4a8c","key":"uploads/alice/3k9f2c7d1a6b4e8f0a5c9d2e7b1f4a8c.png",)"
    R"("method":"PUT","url":"http://127.0.0.1:9000/onehop/uploads/alice/3k9f2c7d1a6b4e8f0a5c9d2e7b1f4a8c.png)"
    R"(?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request)"
    R"(&X-Amz-Date=20261128T130000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost)"
    R"(&X-Amz-Signature=5f2b6c1e9a7d3f8b0c4e6a2d9f1b7c3e5a8d0f2b4c6e8a1d3f5b7c9e0a2d4f6b",)"
    R"("headers":{"Content-Type":"image/png"},"expiresAt":"2026-11-28T13:15:00Z"})";

std::string build_response() {
  std::string bytes;
  bytes.append("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ");
  bytes.append(std::to_string(response_body.size()));
  bytes.append("\r\n\r\n");
  bytes.append(response_body);
  return bytes;
}

// Serves one keep-alive connection until the peer closes it, asks to close, or sends something
// that does not parse; the response bytes outlive every session (they belong to main()).
asio::awaitable<void> session(tcp::socket socket, asio::const_buffer response) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    auto [read_error, read_bytes] = co_await bhttp::async_read(socket, buffer, parser, use_tuple);
    if (read_error) {
      break;  // end of stream, reset or a malformed request: nothing more to answer
    }
    auto [write_error, written] = co_await asio::async_write(socket, response, use_tuple);
    if (write_error || !parser.keep_alive()) {
      break;
    }
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::const_buffer response) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(use_tuple);
    if (error == asio::error::operation_aborted) {
      co_return;
    }
    if (error) {
      continue;  // e.g. EMFILE: keep accepting once descriptors free up
    }
    socket.set_option(tcp::no_delay(true), error);
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), response), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string host = argc > 1 ? argv[1] : "127.0.0.1";
    auto port = static_cast<unsigned short>(argc > 2 ? std::stoul(argv[2]) : 8090);
    std::string const response_bytes = build_response();

    asio::io_context io{1};
    tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address(host), port}};
    acceptor.listen(asio::socket_base::max_listen_connections);
    asio::signal_set signals{io, SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.stop(); });

    auto local = acceptor.local_endpoint();
    std::printf("listening on %s:%u\n", local.address().to_string().c_str(),
                static_cast<unsigned>(local.port()));
    std::fflush(stdout);
    asio::co_spawn(io, accept_loop(acceptor, asio::buffer(response_bytes)), asio::detached);
    io.run();
    return 0;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "bench_api_ceiling: %s\n", e.what());
    return 1;
  }
}
