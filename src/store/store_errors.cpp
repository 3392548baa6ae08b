#include "store/store_errors.hpp"

#include <string>

#include "sigv4/s3_error_category.hpp"

namespace onehop::store {

s3_error_info to_s3_error(errc e) noexcept {
  switch (e) {
    case errc::no_such_bucket:
      return {"NoSuchBucket", 404, "The specified bucket does not exist"};
    case errc::no_such_key:
      return {"NoSuchKey", 404, "The specified key does not exist."};
    case errc::bucket_not_empty:
      return {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"};
    case errc::bucket_already_owned_by_you:
      return {"BucketAlreadyOwnedByYou", 409,
              "Your previous request to create the named bucket succeeded and you already own "
              "it."};
    case errc::invalid_bucket_name:
      return {"InvalidBucketName", 400, "The specified bucket is not valid."};
    case errc::key_too_long:
      return {"KeyTooLongError", 400, "Your key is too long"};
    case errc::invalid_key:
      return {"InvalidArgument", 400, "The key must be 1 to 1024 bytes of valid UTF-8."};
    case errc::no_such_upload:
      return {"NoSuchUpload", 404,
              "The specified upload does not exist. The upload ID may be invalid, or the upload "
              "may have been aborted or completed."};
    case errc::invalid_part:
      return {"InvalidPart", 400,
              "One or more of the specified parts could not be found. The part may not have been "
              "uploaded, or the specified entity tag may not match the part's entity tag."};
    case errc::invalid_part_order:
      return {"InvalidPartOrder", 400,
              "The list of parts was not in ascending order. The parts list must be specified in "
              "order by part number."};
    case errc::invalid_part_number:
      return {"InvalidArgument", 400,
              "Part number must be an integer between 1 and 10000, inclusive"};
    case errc::too_many_parts:
      return {"InvalidArgument", 400, "An upload may have at most 10000 parts."};
    case errc::entity_too_small:
      return {"EntityTooSmall", 400,
              "Your proposed upload is smaller than the minimum allowed object size."};
    case errc::entity_too_large:
      return {"EntityTooLarge", 400,
              "Your proposed upload exceeds the maximum allowed object size."};
    case errc::metadata_too_large:
      return {"MetadataTooLarge", 400,
              "Your metadata headers exceed the maximum allowed metadata size."};
    case errc::bad_digest:
      return {"BadDigest", 400, "The Content-MD5 you specified did not match what we received."};
    case errc::insufficient_storage:
      return {"InsufficientStorage", 507,
              "There is not enough free storage to complete the request."};
    case errc::precondition_failed:
      return {"PreconditionFailed", 412,
              "At least one of the pre-conditions you specified did not hold"};
    case errc::not_modified:
      return {"NotModified", 304, "Not Modified"};
    case errc::invalid_range:
      return {"InvalidRange", 416, "The requested range is not satisfiable"};
    case errc::invalid_argument:
      return {"InvalidArgument", 400, "Invalid Argument"};
    case errc::no_such_cors_configuration:
      return {"NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"};
    case errc::no_such_bucket_policy:
      return {"NoSuchBucketPolicy", 404, "The bucket policy does not exist"};
    case errc::writer_closed:
    case errc::internal:
      break;
  }
  return {"InternalError", 500, "We encountered an internal error. Please try again."};
}

const boost::system::error_category& store_category() noexcept {
  static const sigv4::s3_error_category<errc> instance("onehop.store");
  return instance;
}

}  // namespace onehop::store
