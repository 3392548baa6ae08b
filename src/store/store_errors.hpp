#pragma once
// Errors of the store's disk engine (object_store, durable files, multipart, ranges, conditions).
// `to_s3_error` maps each to S3's wire code, HTTP status and default message, in one table.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string_view>
#include <type_traits>

namespace onehop::store {

enum class errc {
  no_such_bucket = 1,           // 404 NoSuchBucket
  no_such_key,                  // 404 NoSuchKey
  bucket_not_empty,             // 409 BucketNotEmpty (objects or multipart uploads remain)
  bucket_already_owned_by_you,  // 409 BucketAlreadyOwnedByYou
  invalid_bucket_name,          // 400 InvalidBucketName
  key_too_long,                 // 400 KeyTooLongError (> 1024 bytes)
  invalid_key,                  // 400 InvalidArgument (empty key or not UTF-8)
  no_such_upload,               // 404 NoSuchUpload
  invalid_part,                 // 400 InvalidPart (missing part or ETag differs)
  invalid_part_order,           // 400 InvalidPartOrder (part numbers not ascending)
  invalid_part_number,          // 400 InvalidArgument (part number outside 1..10000)
  too_many_parts,               // 400 InvalidArgument (more parts than the limit)
  entity_too_small,             // 400 EntityTooSmall (a non-last part below the minimum)
  entity_too_large,             // 400 EntityTooLarge (object or part above the maximum)
  metadata_too_large,           // 400 MetadataTooLarge (user metadata above 2 KiB)
  bad_digest,                   // 400 BadDigest (Content-MD5 differs from the data)
  insufficient_storage,         // 507 InsufficientStorage (ENOSPC / EDQUOT)
  precondition_failed,          // 412 PreconditionFailed
  not_modified,                 // 304 (GET/HEAD conditionals)
  invalid_range,                // 416 InvalidRange
  invalid_argument,             // 400 InvalidArgument (bad continuation token, max-keys, ...)
  no_such_cors_configuration,   // 404 NoSuchCORSConfiguration
  no_such_bucket_policy,        // 404 NoSuchBucketPolicy
  writer_closed,                // 500 InternalError: write()/commit() after commit or abort
  internal,                     // 500 InternalError (unexpected I/O failure; see the log)
};

struct s3_error_info {
  std::string_view code;
  unsigned http_status;
  std::string_view message;
};

s3_error_info to_s3_error(errc e) noexcept;

const boost::system::error_category& store_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace onehop::store

template <>
struct boost::system::is_error_code_enum<onehop::store::errc> : std::true_type {};
