#include "sigv4/errors.hpp"

#include <string>

#include "sigv4/s3_error_category.hpp"

namespace onehop::sigv4 {

s3_error_info to_s3_error(errc e) noexcept {
  switch (e) {
    case errc::signature_does_not_match:
      return {"SignatureDoesNotMatch", 403,
              "The request signature we calculated does not match the signature you provided. "
              "Check your key and signing method."};
    case errc::request_expired:
      return {"AccessDenied", 403, "Request has expired"};
    case errc::request_not_yet_valid:
      return {"AccessDenied", 403, "Request is not valid yet"};
    case errc::access_denied:
      return {"AccessDenied", 403, "Access Denied"};
    case errc::invalid_access_key_id:
      return {"InvalidAccessKeyId", 403,
              "The AWS Access Key Id you provided does not exist in our records."};
    case errc::request_time_too_skewed:
      return {"RequestTimeTooSkewed", 403,
              "The difference between the request time and the current time is too large."};
    case errc::authorization_header_malformed:
      return {"AuthorizationHeaderMalformed", 400,
              "The authorization header you provided is invalid."};
    case errc::authorization_query_parameters_error:
      return {"AuthorizationQueryParametersError", 400,
              "Query-string authentication version 4 requires the X-Amz-Algorithm, "
              "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
              "X-Amz-Expires parameters."};
    case errc::missing_security_header:
      return {"MissingSecurityHeader", 400,
              "Your request is missing a required header: x-amz-content-sha256."};
    case errc::x_amz_content_sha256_mismatch:
      return {"XAmzContentSHA256Mismatch", 400,
              "The provided 'x-amz-content-sha256' header does not match what was computed."};
    case errc::invalid_argument:
      return {"InvalidArgument", 400, "Invalid argument."};
    case errc::invalid_request:
      return {"InvalidRequest", 400, "Invalid request."};
    case errc::incomplete_body:
      return {"IncompleteBody", 400,
              "You did not provide the number of bytes specified by the Content-Length HTTP "
              "header."};
    case errc::invalid_policy_document:
      return {"InvalidPolicyDocument", 400,
              "The content of the form does not meet the conditions specified in the policy "
              "document."};
    case errc::entity_too_small:
      return {"EntityTooSmall", 400,
              "Your proposed upload is smaller than the minimum allowed object size."};
    case errc::entity_too_large:
      return {"EntityTooLarge", 400,
              "Your proposed upload exceeds the maximum allowed object size."};
    case errc::bad_digest:
      return {"BadDigest", 400, "The checksum you specified did not match what we received."};
    case errc::invalid_digest:
      return {"InvalidDigest", 400, "The checksum you specified is not valid."};
    case errc::max_message_length_exceeded:
      return {"MaxMessageLengthExceeded", 400, "Your request was too big."};
    case errc::unsupported_algorithm:
      return {"InvalidArgument", 400,
              "Unsupported signing algorithm; only AWS4-HMAC-SHA256 is accepted."};
    case errc::missing_authentication:
      return {"AccessDenied", 403, "Access Denied"};
  }
  return {"InternalError", 500, "We encountered an internal error. Please try again."};
}

const boost::system::error_category& sigv4_category() noexcept {
  static const s3_error_category<errc> instance("onehop.sigv4");
  return instance;
}

}  // namespace onehop::sigv4
