#pragma once
// Errors of the signing library, one value per S3 error code a verifier can answer.
// `to_s3_error` is the one table from an error to S3's wire code, HTTP status and message.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string_view>
#include <type_traits>

namespace onehop::sigv4 {

enum class errc {
  signature_does_not_match = 1,    // 403 SignatureDoesNotMatch
  request_expired,                 // 403 AccessDenied "Request has expired"
  request_not_yet_valid,           // 403 AccessDenied "Request is not valid yet"
  access_denied,                   // 403 AccessDenied (unsigned host, policy condition failed)
  invalid_access_key_id,           // 403 InvalidAccessKeyId
  request_time_too_skewed,         // 403 RequestTimeTooSkewed
  authorization_header_malformed,  // 400 AuthorizationHeaderMalformed
  authorization_query_parameters_error,  // 400 AuthorizationQueryParametersError
  missing_security_header,               // 400 MissingSecurityHeader (no x-amz-content-sha256)
  x_amz_content_sha256_mismatch,         // 400 XAmzContentSHA256Mismatch
  invalid_argument,                      // 400 InvalidArgument (unusable header or field value)
  invalid_request,                       // 400 InvalidRequest
  incomplete_body,                       // 400 IncompleteBody (stream ended early or malformed)
  invalid_policy_document,               // 400 InvalidPolicyDocument
  entity_too_small,                      // 400 EntityTooSmall (content-length-range)
  entity_too_large,                      // 400 EntityTooLarge (content-length-range)
  bad_digest,                            // 400 BadDigest (checksum differs from the data)
  invalid_digest,                        // 400 InvalidDigest (checksum value not decodable)
  max_message_length_exceeded,           // 400 MaxMessageLengthExceeded (a byte limit was hit)
  unsupported_algorithm,                 // 400 InvalidArgument / AuthorizationHeaderMalformed
  missing_authentication,                // 403 AccessDenied (no credentials at all)
};

struct s3_error_info {
  std::string_view code;
  unsigned http_status;
  std::string_view message;
};

// The one table from error to S3 wire format.
s3_error_info to_s3_error(errc e) noexcept;

const boost::system::error_category& sigv4_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), sigv4_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace onehop::sigv4

template <>
struct boost::system::is_error_code_enum<onehop::sigv4::errc> : std::true_type {};
