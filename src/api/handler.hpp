#pragma once
// The upload API as an http::handler: routes, authentication, rate limits, policy, signing,
// verification at completion, records. docs/api.md is its contract.
//
// For each request: match the route (routes.hpp); authenticate (credentials.hpp, auth.hpp);
// check the Origin of cookie-authenticated state changes; rate-limit by user and by client
// address; only then read the (capped) JSON body. Errors are `{"error":{code,message}}`.
//
// The hot path, POST /api/uploads for a single PUT or POST, does no disk flush and no network
// round trip: the signature is computed offline with a per-thread presigner and the pending record
// is queued for the database's group commit. Storage calls (multipart create, completion checks,
// deletes) are asynchronous; database calls other than the queue run on the blocking pool.

#include <atomic>
#include <memory>
#include <string>
#include <variant>

#include "api/app_config.hpp"
#include "api/auth.hpp"
#include "api/errors.hpp"
#include "api/metrics.hpp"
#include "api/quota.hpp"
#include "api/rate_limit.hpp"
#include "api/reservations.hpp"
#include "api/routes.hpp"
#include "api/static_files.hpp"
#include "api/upload_token.hpp"
#include "db/repository.hpp"
#include "http/server.hpp"
#include "s3client/client.hpp"

namespace onehop::api {

// The long-lived parts the handler and the sweeper share. Owned by api_server.
struct api_components {
  api_components(const app_config& config, authenticator auth, db::repository& db);

  const app_config& config;
  authenticator auth;
  rate_limiter user_limiter;
  rate_limiter ip_limiter;
  quota_tracker quota;
  metrics_registry metrics;
  s3client::client storage;
  db::repository& db;
  static_files statics;
  upload_token_signer tokens;
  reservations held;  // quota of uploads that live only in a token
};

class api_handler final : public http::handler {
 public:
  explicit api_handler(api_components& parts);
  ~api_handler() override;

  boost::asio::awaitable<http::response> handle(http::request& req) override;
  http::response protocol_error(http::bhttp::status status) override;

  struct context;  // one request (handler.cpp)

 private:
  using awaitable_response = boost::asio::awaitable<http::response>;

  awaitable_response dispatch(context& ctx);
  result<principal> authenticate(context& ctx);
  result<void> admit(context& ctx);  // rate limits

  // Uploads (uploads.cpp).
  awaitable_response create_upload(context& ctx);
  // The part of create_upload that needs no I/O: an answer (a single PUT or POST, or an error), or
  // the plan of a multipart upload, which asks the storage for an upload id. A plain function, so
  // the coroutine around it keeps a small frame that Asio recycles.
  struct multipart_start {
    upload_plan plan;
    std::chrono::sys_seconds expires_at;
  };
  std::variant<http::response, multipart_start> begin_upload(context& ctx, std::string_view body);
  awaitable_response create_multipart_upload(context& ctx, const upload_plan& plan,
                                             std::chrono::sys_seconds expires_at);
  awaitable_response sign_parts(context& ctx);
  awaitable_response list_parts(context& ctx);
  awaitable_response abort_upload(context& ctx);
  awaitable_response complete_upload(context& ctx);
  // Images (images.cpp).
  awaitable_response list_images(context& ctx);
  awaitable_response get_image(context& ctx);
  awaitable_response delete_image(context& ctx);
  // Uppy's Companion-style S3 routes (uppy.cpp): every is_uppy(route).
  awaitable_response uppy(context& ctx);
  // Operations and dev mode (handler.cpp).
  awaitable_response readyz(context& ctx);
  awaitable_response dev_token(context& ctx);
  http::response config_document(context& ctx);

  api_components& parts_;
  std::string request_id_prefix_;
  std::atomic<std::uint64_t> request_counter_{0};
};

}  // namespace onehop::api
