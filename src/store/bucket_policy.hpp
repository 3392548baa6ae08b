#pragma once
// Bucket policies, limited to what onehop enforces: anonymous read of a bucket or of prefixes.
//
// Accepted (JSON, at most 20 KiB as S3; above -> parse_errc::policy_too_large):
//   { "Version": "2012-10-17" | "2008-10-17" (optional), "Id": "..." (optional),
//     "Statement": <statement> | [<statement>, ...] }
//   statement: { "Sid": "..." (optional), "Effect": "Allow",
//                "Principal": "*" | {"AWS": "*"} | {"AWS": ["*"]},
//                "Action": "s3:GetObject" | ["s3:GetObject", ...] (case-insensitive),
//                "Resource": R | [R, ...] }
//   R: "arn:aws:s3:::BUCKET/*" (whole bucket), "arn:aws:s3:::BUCKET/prefix*" (a prefix: one '*',
//      last), or "arn:aws:s3:::BUCKET/exact/key" (one object), BUCKET being this bucket.
// Anything the store would otherwise have to ignore is refused, never silently dropped:
//   parse_errc::not_implemented for a valid-looking policy using Deny, Condition, NotPrincipal,
//     NotAction, NotResource, other principals, other s3: actions, or wildcards elsewhere;
//   parse_errc::malformed_policy for invalid JSON, unknown keys, missing elements, a wrong
//     Version, an empty Statement, or a resource that is not an object of this bucket.
//
// Evaluation: a GET or HEAD without credentials may read `key` when a grant covers it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/parse_errors.hpp"

namespace onehop::store {

inline constexpr std::size_t max_bucket_policy_bytes = 20 * 1024;

struct public_read_grant {
  std::string key_or_prefix;
  bool is_prefix = true;  // false: exactly one key
};

struct bucket_policy {
  std::vector<public_read_grant> grants;
  std::string text;  // the document as sent, returned by GetBucketPolicy
};

result<bucket_policy> parse_bucket_policy(std::string_view json, std::string_view bucket);

// True when an anonymous GetObject/HeadObject of `key` is allowed by `policy`.
bool allows_anonymous_read(const bucket_policy& policy, std::string_view key) noexcept;

}  // namespace onehop::store
