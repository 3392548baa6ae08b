#pragma once
// Errors of the upload API. Every failure the API answers is one `api_error`: a code from the
// fixed list below (which fixes the HTTP status and the wire code) and a message precise enough
// for the user to act on. The body is always `{"error":{"code":..., "message":...}}`.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace onehop::api {

enum class errc {
  invalid_request,      // 400: malformed JSON, unknown field, bad value
  unauthorized,         // 401: no credentials, or a bad, expired or wrongly signed token
  forbidden,            // 403: authenticated but not allowed (Origin, quota of another kind)
  not_found,            // 404: no such upload or image for this user (never "someone else's")
  conflict,             // 409: state does not allow it (already completed, quota exceeded)
  too_large,            // 413: declared size above the limit, or a request body above the cap
  unsupported_type,     // 415: content type not allowed
  verification_failed,  // 422: the stored object is not what was declared (object deleted)
  rate_limited,         // 429: with Retry-After
  internal,             // 500
  storage_unavailable,  // 503: storage did not answer, or answered 5xx after retries
};

struct error_wire {
  unsigned status;
  std::string_view code;
};

constexpr error_wire to_wire(errc e) noexcept {
  switch (e) {
    case errc::invalid_request:
      return {400, "invalid_request"};
    case errc::unauthorized:
      return {401, "unauthorized"};
    case errc::forbidden:
      return {403, "forbidden"};
    case errc::not_found:
      return {404, "not_found"};
    case errc::conflict:
      return {409, "conflict"};
    case errc::too_large:
      return {413, "too_large"};
    case errc::unsupported_type:
      return {415, "unsupported_type"};
    case errc::verification_failed:
      return {422, "verification_failed"};
    case errc::rate_limited:
      return {429, "rate_limited"};
    case errc::internal:
      return {500, "internal"};
    case errc::storage_unavailable:
      return {503, "storage_unavailable"};
  }
  return {500, "internal"};
}

struct api_error {
  errc code = errc::internal;
  std::string message;
  // For rate_limited: seconds until a retry can succeed (the Retry-After header).
  unsigned retry_after_seconds = 0;
};

inline api_error make_error(errc code, std::string message) {
  return api_error{code, std::move(message), 0};
}

// result<T>::value() on an error is a bug (callers check first); boost::system::result finds
// this by argument-dependent lookup.
[[noreturn]] inline void throw_exception_from_error(const api_error& e,
                                                    const boost::source_location&) {
  throw std::logic_error("api_error: " + e.message);
}

template <class T>
using result = boost::system::result<T, api_error>;

}  // namespace onehop::api
