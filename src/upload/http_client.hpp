#pragma once
// A small HTTP/1.1 client for the CLI: JSON requests to the API and streamed bodies to signed
// storage URLs, over http or https (system CAs, host-name verification). Connections are
// opened with s3client::connect and kept alive in s3client's per-io_context pool.
//
// One io_context thread runs every exchange. A request body can be a file range, sent in
// file_chunk_bytes pieces from disk (memory does not grow with the file), between an optional
// in-memory prefix and suffix (the fields of a POST form). Every read and write has a deadline;
// abort_all() closes the sockets of the exchanges in flight so they end at once (Ctrl-C).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "upload/local_file.hpp"
#include "upload/wire.hpp"

namespace onehop::s3client {
class connection;
}

namespace onehop::upload {

// An absolute http(s) URL split for a request. Pure.
struct http_url {
  bool https = false;
  std::string host;  // without brackets
  std::uint16_t port = 0;
  std::string host_header;  // "host" or "host:port" as the URL wrote it
  std::string target;       // path and query, at least "/"
};
wire_result<http_url> parse_http_url(std::string_view url);

struct file_range {
  const local_file* file = nullptr;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct http_request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string url;
  header_list headers;
  std::string body;                // sent first
  std::optional<file_range> file;  // then this
  std::string body_suffix;         // then this
};

struct http_response {
  unsigned status = 0;  // 0: no complete answer; `error` says why
  std::string error;
  std::string body;
  std::string etag;
  std::optional<std::string> retry_after;
};

// Largest response body the client reads (API answers and S3 error documents are far smaller).
inline constexpr std::uint64_t max_response_body = 1 << 20;

class http_client {
 public:
  struct settings {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
    // Per read or write: a stalled peer fails after this, however long the body.
    std::chrono::milliseconds io_timeout{std::chrono::seconds(60)};
    std::size_t max_idle_per_host = 16;
  };

  explicit http_client(settings s);

  // Sends `r`; `on_body_bytes(n)` after each piece of the file range is written.
  boost::asio::awaitable<http_response> send(
      const http_request& r, const std::function<void(std::uint64_t)>& on_body_bytes = {});

  // Closes every connection in flight: their exchanges end with an error.
  void abort_all();

 private:
  settings settings_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::set<s3client::connection*> in_flight_;
};

}  // namespace onehop::upload
