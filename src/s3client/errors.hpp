#pragma once
// Errors of the storage client: what a caller can act on, plus the details S3 sent.
//
// One table (classify_status) maps an HTTP status to errc:
//   2xx success; 404 not_found; 412 precondition_failed; 403 access_denied;
//   429 and 5xx unavailable (after the retries); any other status bad_request.
// Transport failures (resolve, connect, TLS, timeout, reset) are unavailable; a response that
// does not parse, or a body over its cap, is protocol.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace onehop::s3client {

enum class errc {
  not_found = 1,        // 404: NoSuchKey, NoSuchBucket, NoSuchUpload
  precondition_failed,  // 412
  access_denied,        // 403: AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId, ...
  bad_request,          // any other 4xx (or 3xx), and arguments the client refuses to send
  unavailable,          // connect/TLS/timeout/5xx/429, once the attempts are used up
  protocol,             // a response that does not parse, or a body over its cap
  too_large,            // sha256_of: the object is bigger than the caller's max_bytes
};

std::string_view to_string(errc e) noexcept;

// What went wrong. `s3_code` and `message` come from S3's XML error document when there was one
// (HEAD responses have none: then s3_code is a name for the status, as "NotFound"), or describe
// the transport failure. Never holds credentials or signatures.
struct s3_error {
  errc code = errc::protocol;
  unsigned http_status = 0;  // 0 when no response arrived
  std::string s3_code;
  std::string message;
};

// For gtest output and logs: "<errc> (<status> <s3_code>): <message>".
std::string describe(const s3_error& e);

// `result::value()` on an error throws std::system_error-like s3_exception (a bug in the caller:
// check the result first).
class s3_exception : public std::exception {
 public:
  explicit s3_exception(s3_error e) : error_(std::move(e)), what_(describe(error_)) {}
  const char* what() const noexcept override { return what_.c_str(); }
  const s3_error& error() const noexcept { return error_; }

 private:
  s3_error error_;
  std::string what_;
};

[[noreturn]] void throw_exception_from_error(const s3_error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, s3_error>;

// The status table above. Precondition: status is not 2xx.
errc classify_status(unsigned status) noexcept;

// True for the statuses worth retrying: 429 and 5xx (S3's SlowDown, InternalError, 503).
bool is_retryable_status(unsigned status) noexcept;

// S3's name for a status when the response had no XML body (HEAD): "NotFound", "Forbidden", ...
std::string_view status_code_name(unsigned status) noexcept;

}  // namespace onehop::s3client
