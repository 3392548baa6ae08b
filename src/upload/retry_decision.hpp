#pragma once
// What the CLI does after one HTTP exchange failed or answered: pure, so every case is a unit
// test. The wait before a retry comes from s3client::backoff_delay (exponential, jittered,
// raised to Retry-After).

#include <string_view>

namespace onehop::upload {

enum class next_step {
  done,          // 2xx: use the answer
  retry,         // transient (connection error, 5xx, 429, 408): same request again after a wait
  refresh_urls,  // the signed storage URL expired: ask the API for new URLs, then send again
  give_up,       // a definitive answer (4xx), or no attempts left
};

// `status` 0 means the exchange failed before a complete answer (connect, reset, timeout).
// `attempt` counts from 1 and includes this one; `max_attempts` >= 1. `to_storage`: the request
// went to a signed storage URL (only those can expire).
next_step decide(unsigned status, std::string_view body, bool to_storage, unsigned attempt,
                 unsigned max_attempts);

// S3's answer to a presigned URL used after X-Amz-Expires: 403 AccessDenied, "Request has
// expired".
bool is_expired_url_answer(unsigned status, std::string_view body);

}  // namespace onehop::upload
