#pragma once
// The S3 front end of the embedded store: an http::handler that turns requests into calls on
// the disk engine (object_store) and answers with S3's headers and XML documents.
//
// For every request, in this order and before any body byte is read:
//   1. classify (request.hpp): operation, bucket, key; errors become S3 XML errors; the
//      operations request.hpp classifies as not implemented, and writes asking for server-side
//      encryption (x-amz-server-side-encryption*), are 501 NotImplemented;
//   2. authenticate (sigv4::verifier): Authorization header or presigned query; a request with
//      no credentials at all is anonymous, allowed only for CORS preflights, POST object (which
//      authenticates from its form) and GET/HEAD object where the bucket policy grants public
//      read; everything else is AccessDenied;
//   3. only then read the body, streaming PUT bodies to the engine while the payload hash,
//      Content-MD5 and x-amz-checksum-* are computed; the object is committed only if all match.
// Objects are served with sendfile from the engine's file descriptor.
//
// Thread-safe: one instance serves every I/O thread (verifiers are pooled per call).
// Bucket CORS rules and policies are read through an in-memory cache of parsed documents
// (handlers_config.hpp), so only requests made through this handler may change them on disk.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/server.hpp"
#include "sigv4/verify.hpp"
#include "store/handlers_config.hpp"
#include "store/object_store.hpp"
#include "store/request.hpp"

namespace onehop::store {

struct access_key {
  std::string id;
  std::string secret;  // never logged
};

struct front_config {
  std::string region = "us-east-1";
  std::vector<access_key> keys;
  // Host names for virtual-hosted-style requests (`<bucket>.<host>`); path style always works.
  std::vector<std::string> endpoint_hosts{"localhost"};
  // Clock for signature checks and Last-Modified; tests inject a fixed one.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
  // Body of small XML requests (CompleteMultipartUpload, DeleteObjects, PutBucketCors, ...).
  std::size_t max_xml_body = 2 * 1024 * 1024;
};

class s3_handler final : public http::handler {
 public:
  s3_handler(front_config config, object_store& store);
  ~s3_handler() override;

  boost::asio::awaitable<http::response> handle(http::request& req) override;
  http::response protocol_error(http::bhttp::status status) override;

  struct context;  // one request's state (handlers.cpp)

 private:
  using awaitable_response = boost::asio::awaitable<http::response>;

  std::unique_ptr<sigv4::verifier> borrow_verifier();
  void return_verifier(std::unique_ptr<sigv4::verifier> v);
  std::string next_request_id();

  awaitable_response dispatch(context& ctx);
  // Buckets and service.
  awaitable_response list_buckets(context& ctx);
  awaitable_response create_bucket(context& ctx);
  awaitable_response head_bucket(context& ctx);
  awaitable_response delete_bucket(context& ctx);
  awaitable_response get_bucket_location(context& ctx);
  awaitable_response put_bucket_cors(context& ctx);
  awaitable_response get_bucket_cors(context& ctx);
  awaitable_response delete_bucket_cors(context& ctx);
  awaitable_response preflight(context& ctx);
  awaitable_response put_bucket_policy(context& ctx);
  awaitable_response get_bucket_policy(context& ctx);
  awaitable_response delete_bucket_policy(context& ctx);
  // True when the bucket's policy lets anyone read ctx.s3.key.
  bool anonymous_read_allowed(const context& ctx);
  // Objects (handlers_object.cpp).
  awaitable_response put_object(context& ctx);
  awaitable_response get_object(context& ctx, bool head);
  awaitable_response delete_object(context& ctx);
  awaitable_response delete_objects(context& ctx);
  awaitable_response list_objects(context& ctx, bool v2);
  // Browser POST upload, authenticated by its form (handlers_post.cpp).
  awaitable_response post_object(context& ctx);
  // Multipart (handlers_multipart.cpp).
  awaitable_response create_multipart_upload(context& ctx);
  awaitable_response upload_part(context& ctx);
  awaitable_response list_parts(context& ctx);
  awaitable_response complete_multipart_upload(context& ctx);
  awaitable_response abort_multipart_upload(context& ctx);
  awaitable_response list_multipart_uploads(context& ctx);

  front_config config_;
  object_store& store_;
  std::mutex verifiers_mutex_;
  std::vector<std::unique_ptr<sigv4::verifier>> verifiers_;
  std::string request_id_prefix_;
  std::atomic<std::uint64_t> request_counter_{0};
  // Parsed CORS rules and policies; every handler that changes them on disk invalidates.
  bucket_config_cache configs_;
};

}  // namespace onehop::store
