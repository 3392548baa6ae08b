#include "api/handler_internal.hpp"

#include "api/ids.hpp"
#include "api/upload_token.hpp"
#include "api/upload_urls.hpp"
#include "api/verification.hpp"

namespace onehop::api {

std::string_view user_limit_key(std::string_view user) {
  thread_local std::string key;
  key.assign("u:");
  key.append(user);
  return key;
}

upload_urls& image_urls_for(const api_components& parts) {
  thread_local const api_components* owner = nullptr;
  thread_local std::unique_ptr<upload_urls> urls;
  if (owner != &parts) {
    urls = std::make_unique<upload_urls>(parts.config);
    owner = &parts;
  }
  return *urls;
}

boost::asio::awaitable<result<void>> discard_pending(api_components& parts, http::request& req,
                                                     const db::pending_upload& upload) {
  if (auto removed = co_await remove_stored(parts.storage, upload); !removed) {
    co_return removed.error();
  }
  if (is_upload_token(upload.id)) {
    parts.held.release(std::string_view(upload.id).substr(2, id_body_length), parts.quota);
    co_return result<void>{};
  }
  std::string user = upload.user;
  std::string id = upload.id;
  auto deleted =
      co_await req.run_blocking([&parts, user, id] { return parts.db.delete_pending(user, id); });
  if (!deleted) {
    if (deleted.error().code == db::errc::not_found) {
      co_return result<void>{};  // a concurrent abort or the sweeper got there first
    }
    co_return make_error(errc::internal, "database error: " + deleted.error().message);
  }
  parts.quota.release(upload.user, upload.size);
  co_return result<void>{};
}

boost::asio::awaitable<result<std::string>> read_json_body(api_handler::context& ctx,
                                                           std::size_t limit) {
  const auto declared = ctx.req.content_length();
  if (declared && *declared > limit) {
    co_return make_error(errc::too_large,
                         "request body is larger than " + std::to_string(limit) + " bytes");
  }
  if (!ctx.req.has_body()) {
    co_return std::string("{}");
  }
  const std::string_view type = header_value(ctx.req.header(), http::bhttp::field::content_type);
  const std::string_view media = type.substr(0, type.find(';'));
  if (media != "application/json") {
    co_return make_error(errc::invalid_request, "Content-Type must be application/json");
  }
  auto body = co_await ctx.req.read_all(limit);
  if (!body) {
    if (body.error() == http::errc::body_too_large) {
      co_return make_error(errc::too_large,
                           "request body is larger than " + std::to_string(limit) + " bytes");
    }
    co_return make_error(errc::invalid_request, "could not read the request body");
  }
  if (body->empty()) {
    co_return std::string("{}");
  }
  co_return std::move(*body);
}

}  // namespace onehop::api
