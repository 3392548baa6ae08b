#pragma once
// Conditional requests (RFC 9110 §13, as S3 applies them). Pure: the current object's ETag and
// Last-Modified come in as values, and so does everything the client sent.
//
// GET/HEAD, in RFC order:
//   1. If-Match present and no listed ETag matches (or "*" and no object) -> precondition_failed
//   2. else If-Unmodified-Since valid and Last-Modified later than it      -> precondition_failed
//   3. If-None-Match present and a listed ETag matches (or "*")            -> not_modified (304)
//   4. else If-Modified-Since valid and Last-Modified not later than it    -> not_modified (304)
// (So If-Match true + If-Unmodified-Since false gives 200, as S3 documents.) An unparsable date
// is ignored. Last-Modified is compared at whole seconds, as HTTP dates carry.
//
// PUT (S3 conditional writes): If-None-Match "*" fails when the key exists; If-Match fails with
// no_such_key when it does not, and with precondition_failed when no listed ETag matches.
//
// ETag lists: comma-separated, each quoted or not, an optional weak prefix "W/" (compared
// weakly, i.e. ignored, as S3 has no weak tags), or "*".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "store/object_meta.hpp"

namespace onehop::store {

struct conditional_headers {
  std::optional<std::string_view> if_match;
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
  std::optional<std::string_view> if_unmodified_since;
};

enum class condition_outcome {
  proceed,
  not_modified,         // 304
  precondition_failed,  // 412 PreconditionFailed
  no_such_key,          // 404 NoSuchKey (If-Match on a PUT to a missing key)
};

// `etag` unquoted, as object_meta::etag.
condition_outcome evaluate_read_conditions(const conditional_headers& h, std::string_view etag,
                                           timestamp last_modified) noexcept;

// The conditions of a PUT (or CompleteMultipartUpload) against the current object, if any.
condition_outcome evaluate_write_conditions(
    std::optional<std::string_view> if_match, std::optional<std::string_view> if_none_match,
    const std::optional<std::string>& current_etag) noexcept;

// True when the ETag list `header` names `etag` (unquoted) or is "*".
bool etag_list_matches(std::string_view header, std::string_view etag) noexcept;

inline constexpr std::size_t max_http_date_bytes = 64;

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and
// asctime ("Sun Nov  6 08:49:37 1994"); the weekday is not checked against the date.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept;

// IMF-fixdate, for Last-Modified.
std::string format_http_date(std::chrono::sys_seconds t);

}  // namespace onehop::store
