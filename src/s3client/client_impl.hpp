#pragma once
// Internal: one storage request with its retries, shared by the operations in client.cpp.

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "s3client/client.hpp"
#include "s3client/connection.hpp"
#include "s3client/xml.hpp"

namespace onehop::s3client {

namespace bhttp = boost::beast::http;

// The largest body read chunk; a streamed body never holds more than this in memory.
inline constexpr std::size_t body_chunk_size = 64 * 1024;

enum class sink_action { more, done };

// One S3 operation as the transport sees it.
struct call {
  std::string_view operation;  // S3's name, for retry events and error messages
  bhttp::verb method = bhttp::verb::get;
  bool bucket_level = false;  // addresses the bucket itself; `key` is ignored
  std::string_view key;
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in sending order
  std::vector<std::pair<std::string, std::string>> headers;  // sent and signed
  std::string_view body;
  bool idempotent = true;
  // CompleteMultipartUpload: a 200 whose body is <Error> is that error.
  bool error_in_200 = false;
  // Cap on a 2xx body (Content-Length or bytes read); over it the call fails with over_limit.
  std::uint64_t max_body = xml::max_document_size;
  errc over_limit = errc::protocol;
  // Streams a 2xx body instead of collecting it into reply::body; `start` runs before each
  // attempt's body (reset state there).
  std::function<void()> start;
  std::function<sink_action(std::string_view)> sink;
};

struct reply {
  unsigned status = 0;
  bhttp::fields header;
  std::string body;  // empty when streamed to call::sink
};

struct client::impl {
  explicit impl(client_config c);

  // Runs the call with retries. Non-2xx statuses come back as errors (classify_status).
  asio::awaitable<result<reply>> perform(call& c);

  client_config config;
  connect_target target;
  std::string pool_key;

 private:
  struct outcome;
  asio::awaitable<outcome> attempt(call& c, pool_service& pool);
  std::unique_ptr<sigv4::presigner> borrow_signer(bool bucket_level);
  void return_signer(bool bucket_level, std::unique_ptr<sigv4::presigner> s);
  result<void> sign(call& c, sigv4::header_auth& out);

  sigv4::signer_config bucket_signer_config_;
  std::mutex signers_mutex_;
  std::vector<std::unique_ptr<sigv4::presigner>> object_signers_;
  std::vector<std::unique_ptr<sigv4::presigner>> bucket_signers_;
};

}  // namespace onehop::s3client
