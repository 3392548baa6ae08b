#pragma once
// The store front end's one table from an error to S3's wire format, and the XML error response.
//
// Every error a request can end with is a boost::system::error_code of one of these categories:
// sigv4::errc (authentication), store::errc (the disk engine), store::parse_errc (the pure
// parsers), http::errc (reading the body) and front_errc below (what only the front end decides).
// to_s3_error picks the category's table; an unknown category is InternalError 500.

#include <boost/system/error_code.hpp>
#include <optional>
#include <string_view>
#include <type_traits>

#include "http/server.hpp"
#include "store/store_errors.hpp"

namespace onehop::store {

enum class front_errc {
  not_implemented = 1,     // 501 NotImplemented
  method_not_allowed,      // 405 MethodNotAllowed
  missing_content_length,  // 411 MissingContentLength
  request_timeout,         // 400 RequestTimeout
  invalid_request,         // 400 InvalidRequest
  invalid_digest,          // 400 InvalidDigest (Content-MD5 not base64 of 16 bytes)
  access_denied,           // 403 AccessDenied (anonymous request not allowed by the policy)
  internal_error,          // 500 InternalError
  invalid_argument,        // 400 InvalidArgument
  entity_too_large,        // 400 EntityTooLarge (body above the limit while streaming)
  cors_forbidden,          // 403 AccessForbidden (CORS preflight refused)
  // 400 RequestHeaderSectionTooLarge: the request line and headers exceed
  // http::server_config::header_limit (S3's own answer; not HTTP's 431).
  request_header_section_too_large,
};

const boost::system::error_category& front_category() noexcept;

inline boost::system::error_code make_error_code(front_errc e) noexcept {
  return {static_cast<int>(e), front_category()};
}

s3_error_info to_s3_error(const boost::system::error_code& ec) noexcept;

// What ends up in the <Error> document beside code and message.
struct error_context {
  std::string_view resource;    // the request path
  std::string_view request_id;  // also sent as x-amz-request-id
  // SignatureDoesNotMatch: what the server computed (not secrets).
  std::optional<std::string_view> access_key_id;
  std::optional<std::string_view> string_to_sign;
  std::optional<std::string_view> canonical_request;
  bool head = false;  // HEAD: status and headers only, no body
};

// The full response: status, Content-Type application/xml, x-amz-request-id, the document.
// A 304 gets no body.
http::response make_error_response(const boost::system::error_code& ec, const error_context& ctx);

}  // namespace onehop::store

template <>
struct boost::system::is_error_code_enum<onehop::store::front_errc> : std::true_type {};
