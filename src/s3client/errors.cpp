#include "s3client/errors.hpp"

#include <boost/throw_exception.hpp>

namespace onehop::s3client {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::not_found:
      return "not_found";
    case errc::precondition_failed:
      return "precondition_failed";
    case errc::access_denied:
      return "access_denied";
    case errc::bad_request:
      return "bad_request";
    case errc::unavailable:
      return "unavailable";
    case errc::protocol:
      return "protocol";
    case errc::too_large:
      return "too_large";
  }
  return "unknown";
}

std::string describe(const s3_error& e) {
  std::string out(to_string(e.code));
  out += " (";
  out += std::to_string(e.http_status);
  if (!e.s3_code.empty()) {
    out += ' ';
    out += e.s3_code;
  }
  out += "): ";
  out += e.message;
  return out;
}

void throw_exception_from_error(const s3_error& e, const boost::source_location& loc) {
  boost::throw_exception(s3_exception(e), loc);
}

errc classify_status(unsigned status) noexcept {
  switch (status) {
    case 404:
      return errc::not_found;
    case 412:
      return errc::precondition_failed;
    case 403:
      return errc::access_denied;
    default:
      break;
  }
  if (is_retryable_status(status)) {
    return errc::unavailable;
  }
  if (status < 200) {
    return errc::protocol;
  }
  return errc::bad_request;
}

bool is_retryable_status(unsigned status) noexcept {
  return status == 429 || (status >= 500 && status <= 599);
}

std::string_view status_code_name(unsigned status) noexcept {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return "";
  }
}

}  // namespace onehop::s3client
