#pragma once
// Internals shared by handlers*.cpp: one request's context, response helpers and the body pump.
// Not part of the store's interface.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/server.hpp"
#include "sigv4/checksum.hpp"
#include "sigv4/chunked.hpp"
#include "sigv4/verify.hpp"
#include "store/cors.hpp"
#include "store/durable_file.hpp"
#include "store/handlers.hpp"
#include "store/request.hpp"
#include "store/s3_errors.hpp"

namespace onehop::store {

namespace bhttp = boost::beast::http;

struct s3_handler::context {
  http::request& req;
  s3_request s3;
  std::string request_id;
  std::string resource;                         // the request path, for error documents
  std::optional<sigv4::verified_request> auth;  // nullopt: anonymous
  std::chrono::sys_seconds now{};
  timestamp now_ms{};
  std::vector<http_header> cors_headers;  // added to every response
};

namespace front {

// The value of a request header, if present (first occurrence).
std::optional<std::string_view> header(const http::request& req, std::string_view name);

// Status + common headers (Server, x-amz-request-id, CORS), empty body.
http::response empty(s3_handler::context& ctx, bhttp::status status = bhttp::status::ok);
// 200 with an XML document.
http::response xml(s3_handler::context& ctx, std::string document,
                   bhttp::status status = bhttp::status::ok);
// The S3 error document for `ec` (HEAD requests get headers only).
http::response error(s3_handler::context& ctx, const boost::system::error_code& ec);

std::string quote_etag(std::string_view etag);

// What the request declares about its body, decided from the headers before reading it.
struct body_plan {
  sigv4::payload_mode mode = sigv4::payload_mode::unsigned_payload;
  // The object's size: Content-Length, or x-amz-decoded-content-length for aws-chunked.
  std::optional<std::uint64_t> expected_size;
  // An x-amz-checksum-* header value to verify.
  std::optional<sigv4::checksum_value> header_checksum;
  // The x-amz-trailer checksum for aws-chunked trailers.
  std::optional<sigv4::checksum_algorithm> trailer;
  // Content-MD5, decoded.
  std::optional<md5_digest> content_md5;
};

// Errors: missing_content_length, invalid_digest, invalid_argument, sigv4 errors.
result<body_plan> plan_body(const s3_handler::context& ctx, std::uint64_t max_size);

struct body_summary {
  std::uint64_t size = 0;
  // The object data's MD5, from pump_body with sink_thread::pool (hashed in lanes with the other
  // uploads of this thread, store/md5.hpp).
  std::optional<md5_digest> md5;
  // Verified checksums to store: lower-case algorithm name -> base64.
  std::vector<std::pair<std::string, std::string>> checksums;
};

// Where pump_body calls its sink.
enum class sink_thread {
  // On the connection's I/O thread, once per chunk read: for small in-memory bodies.
  io,
  // On the blocking pool, with batches of up to pump_batch_size bytes, double-buffered: the next
  // batch is read from the socket while the previous one is in the sink. For sinks that write
  // files, whose write(2) can block behind writeback and would otherwise stall every connection
  // of the I/O thread. Never two sink calls at once; memory: two batches. The data's MD5 is
  // computed on the I/O thread before a batch goes to the sink, in lanes with the other uploads
  // of the thread (body_summary::md5).
  pool,
};

// The batch size of sink_thread::pool. Large enough that the pool round trip per batch is
// small next to hashing and writing it; small enough that 2 batches per uploading connection
// keep the store's memory bounded (docs/store.md).
inline constexpr std::size_t pump_batch_size = 512 * 1024;

// Reads the whole body, decoding aws-chunked, and feeds each piece of object data to
// `sink(std::string_view) -> result<void>`. Verifies the signed payload hash, chunk signatures,
// the declared size and the checksums (header or trailer) before returning success; the caller
// commits only then. Content-MD5 is left to the caller (the engine checks it on commit).
// The first sink error stops the pump and is returned.
//
// With sink_thread::pool, `after_last` (when set) runs on the pool in the same job as the sink's
// last batch, once every check above has passed: a PUT commits (fdatasync, rename) without one
// more thread round trip, which a small object would otherwise pay in latency. Its error is
// returned like a sink error.
using after_last_batch = std::function<result<void>(const body_summary&)>;
boost::asio::awaitable<result<body_summary>> pump_body(
    s3_handler::context& ctx, const body_plan& plan,
    std::function<result<void>(std::string_view)> sink, sink_thread where = sink_thread::io,
    after_last_batch after_last = {});

// A PUT or UploadPart body streamed into `writer` (write(2) on the blocking pool while the next
// batch is read, so a write waiting for writeback stalls only this upload) and committed in the
// same pool job as the last batch, once the body has passed every check. The writer must have
// been opened without MD5 (digest_request::md5 = false): the pump computes it. On failure the
// writer is aborted.
struct written_object {
  body_summary body;
  object_info info;
};
boost::asio::awaitable<result<written_object>> write_and_commit(s3_handler::context& ctx,
                                                                const body_plan& plan,
                                                                object_writer& writer,
                                                                commit_options commit);

// 200 with the ETag and the verified x-amz-checksum-* of a written object or part.
http::response stored_response(s3_handler::context& ctx, const written_object& written);

// The whole (small) body, at most `limit` decoded bytes, with every check of pump_body plus
// Content-MD5.
boost::asio::awaitable<result<std::string>> read_small_body(s3_handler::context& ctx,
                                                            std::size_t limit);

// x-amz-meta-*, Content-Type, Content-Disposition, ... of a PUT or CreateMultipartUpload.
// `aws-chunked` is removed from Content-Encoding.
object_headers object_headers_from(const http::request& req);

}  // namespace front

}  // namespace onehop::store
