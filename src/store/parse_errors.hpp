#pragma once
// Errors of the store's pure request parsers: the request classifier, bucket and key names, the
// CORS and bucket-policy documents, the POST form and the request XML bodies.
// `to_s3_error` maps each to S3's wire code, HTTP status and default message, in one table.

#include <boost/system/error_code.hpp>
#include <type_traits>

#include "store/store_errors.hpp"

namespace onehop::store {

enum class parse_errc {
  malformed_xml = 1,                  // 400 MalformedXML
  invalid_request,                    // 400 InvalidRequest
  invalid_argument,                   // 400 InvalidArgument
  invalid_bucket_name,                // 400 InvalidBucketName
  key_too_long,                       // 400 KeyTooLongError (> 1024 bytes)
  invalid_key,                        // 400 InvalidArgument (empty or not valid UTF-8)
  invalid_uri,                        // 400 InvalidURI (bad percent-encoding, target too long)
  method_not_allowed,                 // 405 MethodNotAllowed
  malformed_policy,                   // 400 MalformedPolicy
  policy_too_large,                   // 400 MalformedPolicy (document above 20 KiB)
  not_implemented,                    // 501 NotImplemented
  malformed_post_request,             // 400 MalformedPOSTRequest
  incorrect_number_of_files,          // 400 IncorrectNumberOfFilesInPostRequest
  max_post_pre_data_length_exceeded,  // 400 MaxPostPreDataLengthExceededError
  max_message_length_exceeded,        // 400 MaxMessageLengthExceeded (an XML body above its cap)
};

s3_error_info to_s3_error(parse_errc e) noexcept;

const boost::system::error_category& parse_category() noexcept;

inline boost::system::error_code make_error_code(parse_errc e) noexcept {
  return {static_cast<int>(e), parse_category()};
}

}  // namespace onehop::store

template <>
struct boost::system::is_error_code_enum<onehop::store::parse_errc> : std::true_type {};
