// The front end's cache of parsed bucket configuration, and its header-limit error document.

#include "store/handlers_config.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "engine_test_support.hpp"
#include "store/handlers.hpp"

namespace onehop::store {
namespace {

using testing::temp_dir;
using testing::test_now;

constexpr std::string_view cors_doc =
    R"(<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin>)"
    R"(<AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>)";
constexpr std::string_view policy_doc =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",)"
    R"("Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/public/*"}]})";

class ConfigCache : public ::testing::Test {
 protected:
  void SetUp() override {
    store_options options;
    options.data_dir = dir_.path();
    auto opened = object_store::open(options, test_now);
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->create_bucket("photos", test_now));
  }

  temp_dir dir_;
  std::unique_ptr<object_store> store_;
};

TEST_F(ConfigCache, EmptyBucketHasNoConfig) {
  bucket_config_cache cache(*store_);
  const auto config = cache.get("photos");
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->cors);
  EXPECT_FALSE(config->policy);
}

TEST_F(ConfigCache, LoadsOnceThenServesFromMemory) {
  ASSERT_TRUE(store_->put_bucket_config("photos", bucket_config::cors, cors_doc));
  ASSERT_TRUE(store_->put_bucket_config("photos", bucket_config::policy, policy_doc));
  bucket_config_cache cache(*store_);
  const auto first = cache.get("photos");
  ASSERT_TRUE(first->cors);
  ASSERT_EQ(first->cors->rules.size(), 1u);
  EXPECT_EQ(first->cors->rules[0].allowed_origins[0], "https://app.example");
  ASSERT_TRUE(first->policy);
  EXPECT_TRUE(allows_anonymous_read(*first->policy, "public/a.jpg"));
  EXPECT_FALSE(allows_anonymous_read(*first->policy, "private/a.jpg"));
  EXPECT_EQ(cache.loads(), 1u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cache.get("photos"), first);  // the same parsed document, not a re-read
  }
  EXPECT_EQ(cache.loads(), 1u);
}

TEST_F(ConfigCache, InvalidateShowsPutAndDelete) {
  bucket_config_cache cache(*store_);
  EXPECT_FALSE(cache.get("photos")->cors);
  // Changed behind the cache's back: still the cached (empty) view until invalidated.
  ASSERT_TRUE(store_->put_bucket_config("photos", bucket_config::cors, cors_doc));
  EXPECT_FALSE(cache.get("photos")->cors);
  cache.invalidate("photos");
  EXPECT_TRUE(cache.get("photos")->cors);
  EXPECT_FALSE(cache.get("photos")->policy);

  ASSERT_TRUE(store_->put_bucket_config("photos", bucket_config::policy, policy_doc));
  cache.invalidate("photos");
  EXPECT_TRUE(cache.get("photos")->policy);

  ASSERT_TRUE(store_->delete_bucket_config("photos", bucket_config::cors));
  cache.invalidate("photos");
  EXPECT_FALSE(cache.get("photos")->cors);
  EXPECT_TRUE(cache.get("photos")->policy);
  EXPECT_EQ(cache.loads(), 4u);
}

TEST_F(ConfigCache, MissingBucketIsNotCached) {
  bucket_config_cache cache(*store_);
  EXPECT_FALSE(cache.get("later")->cors);
  EXPECT_FALSE(cache.get("later")->cors);
  EXPECT_EQ(cache.loads(), 2u);
  ASSERT_TRUE(store_->create_bucket("later", test_now));
  ASSERT_TRUE(store_->put_bucket_config("later", bucket_config::cors, cors_doc));
  // No invalidate needed: nothing was cached for a bucket that did not exist.
  EXPECT_TRUE(cache.get("later")->cors);
}

TEST_F(ConfigCache, ConcurrentReadersAndInvalidations) {
  ASSERT_TRUE(store_->put_bucket_config("photos", bucket_config::cors, cors_doc));
  bucket_config_cache cache(*store_);
  std::atomic<bool> stop{false};
  std::atomic<int> missing{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        if (!cache.get("photos")->cors) {
          missing.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    cache.invalidate("photos");
  }
  stop = true;
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(missing.load(), 0);
  // After the last invalidation, a delete is seen by the next get.
  ASSERT_TRUE(store_->delete_bucket_config("photos", bucket_config::cors));
  cache.invalidate("photos");
  EXPECT_FALSE(cache.get("photos")->cors);
}

TEST_F(ConfigCache, HeaderTooLargeIsS3Document) {
  s3_handler handler(front_config{}, *store_);
  const http::response res =
      handler.protocol_error(http::bhttp::status::request_header_fields_too_large);
  EXPECT_EQ(res.message.result_int(), 400u);
  EXPECT_EQ(res.message[http::bhttp::field::content_type], "application/xml");
  const std::string& body = res.message.body();
  EXPECT_NE(body.find("<Code>RequestHeaderSectionTooLarge</Code>"), std::string::npos) << body;
  EXPECT_NE(
      body.find("<Message>Your request header section exceeds the maximum allowed size.</Message>"),
      std::string::npos)
      << body;
  // Other protocol errors stay InvalidRequest.
  const http::response bad = handler.protocol_error(http::bhttp::status::bad_request);
  EXPECT_EQ(bad.message.result_int(), 400u);
  EXPECT_NE(bad.message.body().find("<Code>InvalidRequest</Code>"), std::string::npos);
}

}  // namespace
}  // namespace onehop::store
