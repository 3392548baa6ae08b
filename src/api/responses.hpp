#pragma once
// Building the API's HTTP responses: JSON bodies with the headers every answer carries, and the
// one error format `{"error":{"code":..., "message":...}}`.

#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "http/server.hpp"

namespace onehop::api {

// A JSON response: Content-Type application/json, Cache-Control (no-store unless told), nosniff,
// the request id. These headers are in the response's fields_text, not in its message.
http::response json_response(unsigned status, std::string body, std::string_view request_id,
                             std::string_view cache_control = "no-store");

// A response without a body (204), or whose body and Content-Type the caller sets (the
// content_type given here, when not empty).
http::response empty_response(unsigned status, std::string_view request_id,
                              std::string_view content_type = {});

// The error document for `e`, with Retry-After for rate_limited.
http::response error_response(const api_error& e, std::string_view request_id);

// `{"error":{"code":"<code>","message":"<message>"}}`
std::string error_body(const api_error& e);

}  // namespace onehop::api
