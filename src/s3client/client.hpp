#pragma once
// The upload API's asynchronous client for S3-compatible storage (AWS S3, R2, MinIO, the
// embedded store), over Beast with the sigv4 signer.
//
// Calls are coroutines: `co_await c.head_object(key)` on any io_context. Nothing blocks the
// calling thread (DNS resolution runs on Asio's resolver thread).
//
// Connections: keep-alive connections are pooled per io_context (a socket belongs to the
// io_context it was opened on; see connection.hpp) and reused by later calls on the same
// io_context. An idle connection the server has closed is noticed before reuse; a reused
// connection that fails before any response byte arrives is replaced by a fresh one once,
// without counting as an attempt (idempotent calls only).
//
// Timeouts: connect_timeout covers resolve + connect + TLS handshake; request_timeout covers
// sending the request and receiving the response header, and then each body chunk.
//
// Retries (retry.hpp): up to retry.max_attempts attempts, backoff with jitter between them,
// Retry-After honoured. Retried: 429 and 5xx always; connect failures always; other transport
// failures (timeout, reset) only for idempotent calls, i.e. all but create_multipart and
// complete_multipart (completing twice is harmless in S3, but a lost response is not retried:
// a second CompleteMultipartUpload of a completed upload answers NoSuchUpload).
//
// Limits: XML responses and error bodies at most xml::max_document_size (1 MiB); get_range at
// most max_range_size bytes; sha256_of streams (memory is one chunk) and stops at max_bytes.
//
// Keys are raw bytes (1..1024 of UTF-8); the signer encodes them. ETags are returned verbatim,
// quotes included. Credentials and signatures never appear in errors.
//
// Thread-safe: one client may be used from coroutines on several io_contexts at once.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "s3client/errors.hpp"
#include "s3client/retry.hpp"
#include "s3client/types.hpp"
#include "sigv4/signer.hpp"

namespace onehop::s3client {

namespace asio = boost::asio;

inline constexpr std::uint64_t max_range_size = 1 << 20;
inline constexpr unsigned default_max_keys = 1000;

// One retry decision, reported to client_config::on_retry (metrics, logs, tests).
struct retry_event {
  std::string_view operation;   // "HeadObject", ...
  unsigned failed_attempt = 0;  // 1 for the first retry
  std::chrono::milliseconds delay{0};
  unsigned http_status = 0;  // 0 for a transport failure
};

struct client_config {
  sigv4::signer_config signer;  // endpoint, region, credentials, addressing style
  std::string bucket;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{15000};
  retry_policy retry;  // max_attempts 4, 50 ms doubling, cap 2 s, Retry-After honoured
  std::size_t max_idle_per_executor = 32;
  // Idle connections older than this are not reused (S3 closes idle ones after about 20 s).
  std::chrono::milliseconds max_idle_time{std::chrono::seconds(15)};
  std::string ca_file;  // extra CA bundle (PEM) for https; the system CAs are always loaded
  bool verify_tls = true;
  // Signing time and Retry-After dates; tests may fix it.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
  // Called before each backoff wait. Must be thread-safe and must not block.
  std::function<void(const retry_event&)> on_retry;
};

class client {
 public:
  // Throws (a start-up error) when ca_file cannot be loaded or the endpoint scheme is not
  // http/https.
  explicit client(client_config config);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  const client_config& config() const noexcept;

  // HeadObject with x-amz-checksum-mode: ENABLED.
  asio::awaitable<result<object_info>> head_object(std::string_view key);
  // Bytes first..last (inclusive) as S3 returns them (fewer at the end of the object).
  // last - first + 1 must be at most max_range_size (bad_request otherwise). An object shorter
  // than `first` is bad_request with s3_code InvalidRange (S3's 416).
  asio::awaitable<result<std::string>> get_range(std::string_view key, std::uint64_t first,
                                                 std::uint64_t last);
  // SHA-256 of the whole object, streamed. An object over max_bytes is too_large (decided from
  // Content-Length before reading, when there is one).
  asio::awaitable<result<sigv4::sha256_digest>> sha256_of(std::string_view key,
                                                          std::uint64_t max_bytes);
  // A missing object counts as deleted.
  asio::awaitable<result<void>> delete_object(std::string_view key);
  // A small object in one request (signed payload hash). content_type may be empty.
  asio::awaitable<result<void>> put_object(std::string_view key, std::string_view body,
                                           std::string_view content_type);
  // Returns the upload id.
  asio::awaitable<result<std::string>> create_multipart(std::string_view key,
                                                        std::string_view content_type);
  // Returns the part's ETag (for tools and tests; browsers upload parts with presigned URLs).
  asio::awaitable<result<std::string>> upload_part(std::string_view key, std::string_view upload_id,
                                                   unsigned part_number, std::string_view body);
  // Returns the object's ETag. A 200 response carrying <Error> is that error (InternalError and
  // SlowDown are retried like a 500).
  asio::awaitable<result<std::string>> complete_multipart(std::string_view key,
                                                          std::string_view upload_id,
                                                          std::span<const completed_part> parts);
  // A missing upload counts as aborted.
  asio::awaitable<result<void>> abort_multipart(std::string_view key, std::string_view upload_id);
  // Every part, following the pages.
  asio::awaitable<result<std::vector<part_info>>> list_parts(std::string_view key,
                                                             std::string_view upload_id);
  // One ListObjectsV2 page (no delimiter) of at most max_keys (1..1000) keys.
  asio::awaitable<result<object_page>> list_objects(std::string_view prefix,
                                                    std::string_view continuation_token,
                                                    unsigned max_keys = default_max_keys);
  // Every in-progress upload under `prefix`, following the pages.
  asio::awaitable<result<std::vector<multipart_entry>>> list_multipart_uploads(
      std::string_view prefix);
  // CreateBucket (with a LocationConstraint outside us-east-1); BucketAlreadyOwnedByYou is
  // success.
  asio::awaitable<result<void>> create_bucket();
  asio::awaitable<result<void>> head_bucket();
  // PutBucketCors with the document as given (Content-MD5 added).
  asio::awaitable<result<void>> put_bucket_cors(std::string_view cors_xml);

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace onehop::s3client
