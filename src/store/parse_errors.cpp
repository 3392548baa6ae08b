#include "store/parse_errors.hpp"

#include <string>

#include "sigv4/s3_error_category.hpp"

namespace onehop::store {

s3_error_info to_s3_error(parse_errc e) noexcept {
  switch (e) {
    case parse_errc::malformed_xml:
      return {"MalformedXML", 400,
              "The XML you provided was not well-formed or did not validate against our "
              "published schema."};
    case parse_errc::invalid_request:
      return {"InvalidRequest", 400, "Invalid Request"};
    case parse_errc::invalid_argument:
      return {"InvalidArgument", 400, "Invalid Argument"};
    case parse_errc::invalid_bucket_name:
      return {"InvalidBucketName", 400, "The specified bucket is not valid."};
    case parse_errc::key_too_long:
      return {"KeyTooLongError", 400, "Your key is too long."};
    case parse_errc::invalid_key:
      return {"InvalidArgument", 400, "Object keys must be 1 to 1024 bytes of valid UTF-8."};
    case parse_errc::invalid_uri:
      return {"InvalidURI", 400, "Couldn't parse the specified URI."};
    case parse_errc::method_not_allowed:
      return {"MethodNotAllowed", 405,
              "The specified method is not allowed against this resource."};
    case parse_errc::malformed_policy:
      return {"MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"};
    case parse_errc::policy_too_large:
      return {"MalformedPolicy", 400, "Policy exceeds the maximum allowed document size."};
    case parse_errc::not_implemented:
      return {"NotImplemented", 501,
              "A header you provided implies functionality that is not implemented."};
    case parse_errc::malformed_post_request:
      return {"MalformedPOSTRequest", 400,
              "The body of your POST request is not well-formed multipart/form-data."};
    case parse_errc::incorrect_number_of_files:
      return {"IncorrectNumberOfFilesInPostRequest", 400,
              "POST requires exactly one file upload per request."};
    case parse_errc::max_post_pre_data_length_exceeded:
      return {"MaxPostPreDataLengthExceededError", 400,
              "Your POST request fields preceding the upload file were too large."};
    case parse_errc::max_message_length_exceeded:
      return {"MaxMessageLengthExceeded", 400, "Your request was too big."};
  }
  return {"InternalError", 500, "We encountered an internal error. Please try again."};
}

const boost::system::error_category& parse_category() noexcept {
  static const sigv4::s3_error_category<parse_errc> instance("onehop.store.parse");
  return instance;
}

}  // namespace onehop::store
