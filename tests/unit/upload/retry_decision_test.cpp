#include "upload/retry_decision.hpp"

#include <gtest/gtest.h>

namespace onehop::upload {
namespace {

constexpr std::string_view expired_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
    "<Message>Request has expired</Message></Error>";
constexpr std::string_view denied_xml =
    "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does "
    "not match</Message></Error>";

TEST(retry_decision, success_is_done_whatever_the_attempt) {
  EXPECT_EQ(decide(200, "", false, 1, 5), next_step::done);
  EXPECT_EQ(decide(201, "", false, 5, 5), next_step::done);
  EXPECT_EQ(decide(204, "", true, 3, 5), next_step::done);
}

TEST(retry_decision, transient_failures_retry_while_attempts_remain) {
  for (unsigned status : {0U, 408U, 429U, 500U, 502U, 503U, 504U}) {
    EXPECT_EQ(decide(status, "", false, 1, 5), next_step::retry) << status;
    EXPECT_EQ(decide(status, "", true, 4, 5), next_step::retry) << status;
    EXPECT_EQ(decide(status, "", true, 5, 5), next_step::give_up) << status;
  }
}

TEST(retry_decision, one_attempt_means_no_retry) {
  EXPECT_EQ(decide(0, "", false, 1, 1), next_step::give_up);
  EXPECT_EQ(decide(503, "", false, 1, 1), next_step::give_up);
}

TEST(retry_decision, client_errors_are_final) {
  for (unsigned status : {400U, 401U, 404U, 409U, 413U, 415U, 422U}) {
    EXPECT_EQ(decide(status, "{}", false, 1, 5), next_step::give_up) << status;
  }
  EXPECT_EQ(decide(403, denied_xml, true, 1, 5), next_step::give_up);
}

TEST(retry_decision, expired_storage_url_asks_for_new_urls) {
  EXPECT_TRUE(is_expired_url_answer(403, expired_xml));
  EXPECT_FALSE(is_expired_url_answer(400, expired_xml));
  EXPECT_FALSE(is_expired_url_answer(403, denied_xml));
  EXPECT_EQ(decide(403, expired_xml, true, 1, 5), next_step::refresh_urls);
  EXPECT_EQ(decide(403, expired_xml, true, 5, 5), next_step::give_up);
  // The API never signs its own answers: the same words from it are an ordinary 403.
  EXPECT_EQ(decide(403, expired_xml, false, 1, 5), next_step::give_up);
}

}  // namespace
}  // namespace onehop::upload
