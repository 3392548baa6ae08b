// The client against a scripted server: retries, backoff, Retry-After, timeouts, connection
// failures, size caps and the 200-with-<Error> answer of CompleteMultipartUpload.

#include <gtest/gtest.h>

#include <mutex>

#include "s3client/client.hpp"
#include "test_support.hpp"

namespace onehop::s3client {
namespace {

using testing::local_endpoint;
using testing::make_config;
using testing::run;
using testing::scripted_response;
using testing::scripted_server;
using testing::seen_request;

constexpr const char* list_body =
    "<ListBucketResult><Name>client-bucket</Name><IsTruncated>false</IsTruncated>"
    "<Contents><Key>a</Key><Size>3</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
    "</Contents></ListBucketResult>";

std::string error_xml(std::string_view code) {
  return "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>";
}

struct retry_log {
  std::mutex mutex;
  std::vector<retry_event> events;
  std::function<void(const retry_event&)> hook() {
    return [this](const retry_event& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    };
  }
};

client_config config_for(const scripted_server& server, retry_log& log) {
  auto config = make_config(local_endpoint("http", "127.0.0.1", server.port()));
  config.on_retry = log.hook();
  return config;
}

TEST(client_faults, retries_503_twice_then_succeeds) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n < 2) {
      return scripted_response{503, {}, error_xml("SlowDown")};
    }
    return scripted_response{200, {{"content-type", "application/xml"}}, list_body};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto page = run(ioc, c.list_objects("", ""));
  ASSERT_TRUE(page) << describe(page.error());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a");
  EXPECT_EQ(server.requests(), 3u);
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].failed_attempt, 1u);
  EXPECT_EQ(log.events[1].failed_attempt, 2u);
  EXPECT_EQ(log.events[0].http_status, 503u);
  EXPECT_EQ(log.events[0].operation, "ListObjectsV2");
  // Backoff stays within [d/2, d] of the configured schedule (1 ms doubling, cap 5 ms).
  EXPECT_LE(log.events[1].delay, std::chrono::milliseconds(2));
  // The 503s came on the same keep-alive connection.
  EXPECT_EQ(server.connections(), 1u);
}

TEST(client_faults, gives_up_after_max_attempts_with_the_last_error) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{500, {}, error_xml("InternalError")};
  });
  retry_log log;
  auto config = config_for(server, log);
  config.retry.max_attempts = 3;
  client c(config);
  asio::io_context ioc;
  auto r = run(ioc, c.head_bucket());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_EQ(r.error().http_status, 500u);
  EXPECT_EQ(server.requests(), 3u);
  EXPECT_EQ(log.events.size(), 2u);
}

TEST(client_faults, no_retry_on_4xx) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{400, {}, error_xml("InvalidArgument")};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto r = run(ioc, c.put_object("k", "v", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::bad_request);
  EXPECT_EQ(r.error().s3_code, "InvalidArgument");
  EXPECT_EQ(server.requests(), 1u);
  EXPECT_TRUE(log.events.empty());
}

TEST(client_faults, honours_retry_after_on_429) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n == 0) {
      return scripted_response{429, {{"retry-after", "1"}}, error_xml("SlowDown")};
    }
    return scripted_response{200, {}, list_body};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  const auto start = std::chrono::steady_clock::now();
  auto page = run(ioc, c.list_objects("", ""));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(page) << describe(page.error());
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].http_status, 429u);
  EXPECT_EQ(log.events[0].delay, std::chrono::seconds(1));  // not the 1..5 ms backoff
  EXPECT_GE(elapsed, std::chrono::seconds(1));
  EXPECT_EQ(server.requests(), 2u);
}

TEST(client_faults, retry_after_is_capped) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n == 0) {
      return scripted_response{503, {{"retry-after", "3600"}}, {}};
    }
    return scripted_response{200, {}, {}};
  });
  retry_log log;
  auto config = config_for(server, log);
  config.retry.max_retry_after = std::chrono::milliseconds(20);
  client c(config);
  asio::io_context ioc;
  ASSERT_TRUE(run(ioc, c.head_bucket()));
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].delay, std::chrono::milliseconds(20));
}

TEST(client_faults, a_server_that_never_answers_times_out) {
  scripted_server server([](unsigned, const seen_request&) {
    scripted_response r;
    r.hang = true;
    return r;
  });
  retry_log log;
  auto config = config_for(server, log);
  config.request_timeout = std::chrono::milliseconds(200);
  config.retry.max_attempts = 2;
  client c(config);
  asio::io_context ioc;
  const auto start = std::chrono::steady_clock::now();
  auto r = run(ioc, c.head_object("k"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_EQ(r.error().http_status, 0u);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.requests(), 2u);  // idempotent: retried
  EXPECT_GE(elapsed, std::chrono::milliseconds(400));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(client_faults, non_idempotent_calls_are_not_retried_after_a_timeout) {
  scripted_server server([](unsigned, const seen_request&) {
    scripted_response r;
    r.hang = true;
    return r;
  });
  retry_log log;
  auto config = config_for(server, log);
  config.request_timeout = std::chrono::milliseconds(150);
  client c(config);
  asio::io_context ioc;
  auto r = run(ioc, c.create_multipart("k", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_EQ(server.requests(), 1u);
}

TEST(client_faults, non_idempotent_calls_are_retried_on_5xx) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n == 0) {
      return scripted_response{503, {}, {}};
    }
    return scripted_response{
        200,
        {},
        "<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto id = run(ioc, c.create_multipart("k", ""));
  ASSERT_TRUE(id) << describe(id.error());
  EXPECT_EQ(*id, "u-1");
  EXPECT_EQ(server.requests(), 2u);
}

TEST(client_faults, connect_failure_is_unavailable_after_retries) {
  unsigned short port = 0;
  {
    // A port that was free a moment ago: nothing listens there.
    asio::io_context ioc;
    asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address_v4("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  retry_log log;
  auto config = make_config(local_endpoint("http", "127.0.0.1", port));
  config.on_retry = log.hook();
  config.retry.max_attempts = 2;
  client c(config);
  asio::io_context ioc;
  auto r = run(ioc, c.create_multipart("k", ""));  // connect failures are retried even here
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_NE(r.error().message.find("connect"), std::string::npos) << r.error().message;
  EXPECT_EQ(log.events.size(), 1u);
}

TEST(client_faults, a_server_closing_kept_alive_connections_is_handled) {
  scripted_server server([](unsigned, const seen_request&) {
    scripted_response r{200, {}, list_body};
    r.close_after = true;  // announces keep-alive, then closes anyway
    return r;
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  for (int i = 0; i < 5; ++i) {
    auto page = run(ioc, c.list_objects("", ""));
    ASSERT_TRUE(page) << describe(page.error());
  }
  EXPECT_EQ(server.requests(), 5u);
  EXPECT_EQ(server.connections(), 5u);
  EXPECT_TRUE(log.events.empty());  // a closed idle connection is not a failed attempt
}

TEST(client_faults, oversized_xml_is_protocol_error_without_retry) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{200, {}, std::string((1 << 20) + 1, ' ')};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto r = run(ioc, c.list_objects("", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::protocol);
  EXPECT_EQ(server.requests(), 1u);
}

TEST(client_faults, xml_at_the_cap_is_read) {
  std::string body = list_body;
  body.append((1 << 20) - body.size(), ' ');
  scripted_server server([&](unsigned, const seen_request&) {
    return scripted_response{200, {}, body};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto r = run(ioc, c.list_objects("", ""));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->objects.size(), 1u);
}

TEST(client_faults, malformed_xml_is_protocol_error) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{200, {}, "<ListBucketResult><Contents><Key>"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto r = run(ioc, c.list_objects("", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::protocol);
}

TEST(client_faults, complete_with_200_error_body_is_retried_when_transient) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n == 0) {
      return scripted_response{200, {}, error_xml("InternalError")};
    }
    return scripted_response{200,
                             {},
                             "<CompleteMultipartUploadResult><ETag>\"abc-2\"</ETag>"
                             "</CompleteMultipartUploadResult>"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  const std::vector<completed_part> parts{{1, "\"e1\""}, {2, "\"e2\""}};
  auto etag = run(ioc, c.complete_multipart("k", "u-1", parts));
  ASSERT_TRUE(etag) << describe(etag.error());
  EXPECT_EQ(*etag, "\"abc-2\"");
  ASSERT_EQ(server.requests(), 2u);
  const auto seen = server.seen();
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/client-bucket/k?uploadId=u-1");
  EXPECT_EQ(seen[0].body,
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(client_faults, complete_with_200_error_body_is_that_error) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{200, {}, error_xml("InvalidPartOrder")};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  const std::vector<completed_part> parts{{2, "\"e\""}, {1, "\"e\""}};
  auto etag = run(ioc, c.complete_multipart("k", "u", parts));
  ASSERT_FALSE(etag);
  EXPECT_EQ(etag.error().code, errc::bad_request);
  EXPECT_EQ(etag.error().s3_code, "InvalidPartOrder");
  EXPECT_EQ(server.requests(), 1u);
}

TEST(client_faults, paging_follows_markers) {
  scripted_server server([](unsigned n, const seen_request&) {
    if (n == 0) {
      return scripted_response{
          200,
          {},
          "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>1"
          "</NextPartNumberMarker><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag><Size>5"
          "</Size></Part></ListPartsResult>"};
    }
    return scripted_response{200,
                             {},
                             "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>2"
                             "</PartNumber><ETag>\"b\"</ETag><Size>7</Size></Part>"
                             "</ListPartsResult>"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto parts = run(ioc, c.list_parts("k", "u"));
  ASSERT_TRUE(parts) << describe(parts.error());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].size, 7u);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "/client-bucket/k?uploadId=u&part-number-marker=1");
}

TEST(client_faults, a_marker_that_does_not_advance_is_protocol_error) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{200,
                             {},
                             "<ListPartsResult><IsTruncated>true</IsTruncated>"
                             "<NextPartNumberMarker>0</NextPartNumberMarker></ListPartsResult>"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto parts = run(ioc, c.list_parts("k", "u"));
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, errc::protocol);
}

TEST(client_faults, get_range_of_a_server_ignoring_range) {
  scripted_server server([](unsigned, const seen_request&) {
    return scripted_response{200, {}, "0123456789"};
  });
  retry_log log;
  client c(config_for(server, log));
  asio::io_context ioc;
  auto r = run(ioc, c.get_range("k", 3, 5));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(*r, "345");
}

}  // namespace
}  // namespace onehop::s3client
