#pragma once
// S3 browser-POST policies: building and signing one (server side, like botocore's
// generate_presigned_post), parsing one received in a form (untrusted: base64 -> JSON under a byte
// cap -> typed conditions), and evaluating a received form against it.
//
// Received policy grammar (JSON, UTF-8):
//   { "expiration": "<YYYY-MM-DDTHH:MM:SS[.fff]Z>", "conditions": [ <condition>, ... ] }
// Other top-level members are ignored. A condition is one of
//   { "<field>": "<value>", ... }             exact match, one per member
//   [ "eq", "$<field>", "<value>" ]           exact match
//   [ "starts-with", "$<field>", "<prefix>" ] prefix match ("" allows any value)
//   [ "content-length-range", <min>, <max> ]  0 <= min <= max, integers (or digit strings)
// Operators are case-insensitive; field names are matched case-insensitively. starts-with is
// refused for bucket, success_action_status, x-amz-algorithm, x-amz-credential and x-amz-date,
// as in S3.

#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sigv4/auth_parse.hpp"
#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

enum class condition_op { eq, starts_with };

// A condition on one form field. `field` has no '$' and keeps the case written in the policy.
struct field_condition {
  condition_op op = condition_op::eq;
  std::string field;
  std::string value;
  // Written as {"field": "value"} rather than ["eq", "$field", "value"] (eq only). Only changes
  // how the condition is serialized.
  bool object_form = false;
};

// Allowed size of the uploaded file in bytes, both ends inclusive.
struct content_length_range {
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
};

using policy_condition = std::variant<field_condition, content_length_range>;

struct post_policy {
  std::chrono::sys_seconds expiration{};
  std::vector<policy_condition> conditions;  // document order
};

// ---- Building (server side) ----

// The policy document as botocore writes it (Python json.dumps: ", " and ": " separators,
// non-ASCII as \uXXXX escapes), so the same inputs give byte-identical base64.
// Errors: invalid_argument (a string that is not UTF-8, or an expiration outside years 0..9999).
result<std::string> serialize_post_policy(const post_policy& policy);

struct post_form_request {
  std::string_view bucket;
  std::string_view key;  // may end with "${filename}": the condition becomes starts-with
  std::string_view region;
  credentials_view credentials;
  std::chrono::sys_seconds now{};
  std::chrono::seconds expires{3600};            // must be positive
  std::span<const form_field> fields;            // extra fields the browser sends, in order
  std::span<const policy_condition> conditions;  // extra conditions, placed first
};

struct owned_form_field {
  std::string name;
  std::string value;
};

struct presigned_post {
  // key, the extra fields, x-amz-algorithm, x-amz-credential, x-amz-date,
  // [x-amz-security-token], policy, x-amz-signature: botocore's set and order.
  std::vector<owned_form_field> fields;
  std::string policy_json;
  std::string policy_base64;
  std::string signature;  // hex
};

// Builds the policy (extra conditions, then {"bucket"}, the key condition, x-amz-algorithm,
// x-amz-credential, x-amz-date and the token, as botocore does), base64-encodes it and signs the
// base64 text with the day's signing key for service s3.
// Errors: invalid_argument (non-positive expiry, non-UTF-8 text, unformattable time).
result<presigned_post> presign_post(const post_form_request& request);

// Signs a policy's base64 text: hex(HMAC(signing key, policy_base64)).
std::string sign_post_policy(const hmac_sha256_key& signing_key, std::string_view policy_base64);

// ---- Parsing a received policy (untrusted) ----

struct policy_limits {
  std::size_t policy_base64_bytes = 20 * 1024;
  std::size_t conditions = 64;
};

// Errors: max_message_length_exceeded (base64 text over limits.policy_base64_bytes),
// invalid_policy_document (bad base64 or JSON, missing or malformed expiration or conditions, a
// malformed condition, more than limits.conditions conditions).
result<post_policy> parse_post_policy(std::string_view policy_base64,
                                      const policy_limits& limits = {});

// ---- Evaluating a received form ----

struct post_policy_decision {
  std::string key;                    // the key field with ${filename} replaced
  content_length_range length_range;  // intersection of the policy's ranges; full if none
};

// Checks a form against a policy at `now`, before the file is read:
//  - the policy has not expired (valid while now < expiration), else request_expired;
//  - the form has a `key` field, else invalid_argument; no field name repeated (ignoring case),
//    else invalid_argument;
//  - every field condition holds, matched against the form (names ignore case; `bucket` is the
//    bucket of the request URL; `key` is the key after ${filename} substitution; an absent field
//    is the empty string), else access_denied;
//  - every form field is named by some condition, except policy, x-amz-signature, file and
//    x-ignore-* (S3's rule), else access_denied.
// `fields` are the form's fields before `file`; `filename` is the file part's filename.
result<post_policy_decision> evaluate_post_policy(const post_policy& policy,
                                                  std::span<const form_field> fields,
                                                  std::string_view bucket,
                                                  std::string_view filename,
                                                  std::chrono::sys_seconds now);

// The size check, separate because the size is known only once the file has been read (a
// streaming reader can stop as soon as `max` is passed). entity_too_small / entity_too_large.
result<void> check_content_length(const content_length_range& range, std::uint64_t size) noexcept;

}  // namespace onehop::sigv4
