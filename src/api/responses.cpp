#include "api/responses.hpp"

#include "api/json_out.hpp"

namespace onehop::api {
namespace {

// Formatted straight into the response's text fields: every API answer carries these, and
// Beast's field container would allocate for each.
void common_headers(http::response& res, std::string_view content_type,
                    std::string_view cache_control, std::string_view request_id) {
  std::string& f = res.fields_text;
  f.reserve(96 + content_type.size() + request_id.size());
  if (!content_type.empty()) {
    f.append("Content-Type: ").append(content_type).append("\r\n");
  }
  f.append("Cache-Control: ").append(cache_control).append("\r\n");
  f.append("X-Content-Type-Options: nosniff\r\n");
  if (!request_id.empty()) {
    f.append("X-Request-Id: ").append(request_id).append("\r\n");
  }
}

}  // namespace

http::response json_response(unsigned status, std::string body, std::string_view request_id,
                             std::string_view cache_control) {
  http::response res;
  res.message.result(status);
  common_headers(res, "application/json", cache_control, request_id);
  res.message.body() = std::move(body);
  return res;
}

http::response empty_response(unsigned status, std::string_view request_id,
                              std::string_view content_type) {
  http::response res;
  res.message.result(status);
  common_headers(res, content_type, "no-store", request_id);
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
