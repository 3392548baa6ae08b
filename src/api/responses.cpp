#include "api/responses.hpp"

#include "api/json_out.hpp"

namespace onehop::api {
namespace {

void common_headers(http::response& res, std::string_view request_id) {
  auto& m = res.message;
  m.set(http::bhttp::field::cache_control, "no-store");
  m.set("X-Content-Type-Options", "nosniff");
  if (!request_id.empty()) {
    m.set("X-Request-Id", request_id);
  }
}

}  // namespace

http::response json_response(unsigned status, std::string body, std::string_view request_id) {
  http::response res;
  res.message.result(status);
  res.message.set(http::bhttp::field::content_type, "application/json");
  common_headers(res, request_id);
  res.message.body() = std::move(body);
  return res;
}

http::response empty_response(unsigned status, std::string_view request_id) {
  http::response res;
  res.message.result(status);
  common_headers(res, request_id);
  return res;
}

std::string error_body(const api_error& e) {
  std::string body;
  body.reserve(64 + e.message.size());
  body.append(R"({"error":{"code":")");
  body.append(to_wire(e.code).code);
  body.append(R"(","message":)");
  append_json_string(body, e.message);
  body.append("}}");
  return body;
}

http::response error_response(const api_error& e, std::string_view request_id) {
  http::response res = json_response(to_wire(e.code).status, error_body(e), request_id);
  if (e.code == errc::rate_limited) {
    res.message.set(http::bhttp::field::retry_after,
                    std::to_string(e.retry_after_seconds == 0 ? 1 : e.retry_after_seconds));
  }
  if (e.code == errc::unauthorized) {
    res.message.set(http::bhttp::field::www_authenticate, R"(Bearer realm="onehop")");
  }
  return res;
}

}  // namespace onehop::api
