#include "upload/retry_decision.hpp"

namespace onehop::upload {

bool is_expired_url_answer(unsigned status, std::string_view body) {
  return status == 403 && body.find("Request has expired") != std::string_view::npos;
}

next_step decide(unsigned status, std::string_view body, bool to_storage, unsigned attempt,
                 unsigned max_attempts) {
  if (status >= 200 && status < 300) {
    return next_step::done;
  }
  const bool attempts_left = attempt < max_attempts;
  if (to_storage && is_expired_url_answer(status, body)) {
    // Fresh URLs cost one API call and always help, but are still bounded by the attempts.
    return attempts_left ? next_step::refresh_urls : next_step::give_up;
  }
  const bool transient = status == 0 || status == 408 || status == 429 || status >= 500;
  if (transient && attempts_left) {
    return next_step::retry;
  }
  return next_step::give_up;
}

}  // namespace onehop::upload
