#pragma once
// Shared by the API handler's source files (handler.cpp, uploads.cpp, images.cpp): one request's
// state and the small steps every route repeats.

#include <chrono>
#include <string>
#include <string_view>

#include "api/auth.hpp"
#include "api/errors.hpp"
#include "api/handler.hpp"
#include "api/routes.hpp"
#include "http/server.hpp"

namespace onehop::api {

struct api_handler::context {
  http::request& req;
  matched_route route;
  std::string request_id;
  std::chrono::steady_clock::time_point started;
  std::chrono::sys_seconds now;
  principal who;           // set once authenticated
  std::string log_detail;  // why a request failed, for the log line (never secrets)
};

inline std::string_view header_value(const http::bhttp::request_header<>& h, http::bhttp::field f) {
  const auto it = h.find(f);
  return it == h.end() ? std::string_view() : std::string_view(it->value());
}

inline std::string_view header_value(const http::bhttp::request_header<>& h,
                                     std::string_view name) {
  const auto it = h.find(name);
  return it == h.end() ? std::string_view() : std::string_view(it->value());
}

// "u:<user>": the user's key in the per-user rate limiter (a per-thread buffer, no allocation once
// warm; valid until the next call on this thread).
std::string_view user_limit_key(std::string_view user);

// This thread's signer of upload and view URLs.
class upload_urls;
upload_urls& image_urls_for(const api_components& parts);

// Forgets a pending upload: the storage's copy goes (abort or delete), then the record, then the
// quota it reserved.
boost::asio::awaitable<result<void>> discard_pending(api_components& parts, http::request& req,
                                                     const db::pending_upload& upload);

// Looks a pending upload up for this user (404 when it is not theirs or not there).
boost::asio::awaitable<result<db::pending_upload>> find_pending_upload(api_components& parts,
                                                                       http::request& req,
                                                                       std::string_view user,
                                                                       std::string_view id);

// `{"id":...,"key":...,...,"url":...}` for one image.
void append_image_json(std::string& out, const db::image& img, upload_urls& urls,
                       std::chrono::sys_seconds now);

// The request's JSON body, at most `limit` bytes. An empty body reads as "{}". A non-empty body
// must say Content-Type: application/json (a cross-site form cannot, without a preflight).
boost::asio::awaitable<result<std::string>> read_json_body(api_handler::context& ctx,
                                                           std::size_t limit);

}  // namespace onehop::api
