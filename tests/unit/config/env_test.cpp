// The environment layer: ONEHOP_<SECTION>_<KEY> for every key, the AWS aliases, precedence.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "test_support.hpp"

namespace onehop::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::env_of;
using testing::error_of;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

onehop_config with_env(std::string_view text, std::map<std::string, std::string> vars) {
  auto r = parse(text, "onehop.toml", env_of(std::move(vars)));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : onehop_config{};
}

TEST(environment, names_every_key_onehop_section_key) {
  const auto keys = all_keys();
  EXPECT_EQ(env_name(keys[*find_key("uploads", "max_size")]), "ONEHOP_UPLOADS_MAX_SIZE");
  EXPECT_EQ(env_name(keys[*find_key("rate_limit", "user_rate")]), "ONEHOP_RATE_LIMIT_USER_RATE");
  EXPECT_EQ(env_name(keys[*find_key("store", "access_key")]), "ONEHOP_STORE_ACCESS_KEY");
  EXPECT_EQ(env_name(keys[*find_key("api", "listen")]), "ONEHOP_API_LISTEN");
}

TEST(environment, wins_over_the_file) {
  const onehop_config c =
      with_env("[uploads]\nmax_size = \"10MiB\"\n[api]\nlisten = \":1\"\n",
               {{"ONEHOP_UPLOADS_MAX_SIZE", "20MiB"}, {"ONEHOP_API_LISTEN", "127.0.0.1:8081"}});
  EXPECT_EQ(c.uploads.max_size, 20 * mib);
  EXPECT_EQ(c.api.listen, "127.0.0.1:8081");
}

TEST(environment, every_kind_from_text) {
  const onehop_config c =
      with_env("", {{"ONEHOP_STORE_BUCKETS", "photos, avatars"},
                    {"ONEHOP_STORE_THREADS", "4"},
                    {"ONEHOP_STORE_IDLE_TIMEOUT", "2m"},
                    {"ONEHOP_STORAGE_PATH_STYLE", "false"},
                    {"ONEHOP_STORAGE_ENDPOINT", "https://s3.example.com"},
                    {"ONEHOP_STORAGE_TIMEOUT", "750ms"},
                    {"ONEHOP_UPLOADS_CHECKSUM_REQUIRED", "1"},
                    {"ONEHOP_RATE_LIMIT_IP_RATE", "12.5"},
                    {"ONEHOP_AUTH_API_KEYS",
                     std::string("alice:") + std::string(64, 'A') + ",bob:" + std::string(64, 'b')},
                    {"ONEHOP_LOG_FORMAT", "text"}});
  EXPECT_EQ(c.store.buckets, (std::vector<std::string>{"photos", "avatars"}));
  EXPECT_EQ(c.store.threads, 4u);
  EXPECT_EQ(c.store.idle_timeout, seconds(120));
  EXPECT_FALSE(c.storage.path_style);
  EXPECT_EQ(c.storage.timeout, milliseconds(750));
  EXPECT_TRUE(c.uploads.checksum_required);
  EXPECT_EQ(c.rate_limit.ip_rate, 12.5);
  ASSERT_EQ(c.auth.api_keys.size(), 2u);
  EXPECT_EQ(c.auth.api_keys[0], (api_key{std::string(64, 'a'), "alice"}));
  EXPECT_EQ(c.auth.api_keys[1].user, "bob");
  EXPECT_EQ(c.log.format, "text");
}

TEST(environment, errors_name_the_variable_and_key) {
  EXPECT_EQ(error_of("", env_of({{"ONEHOP_STORE_THREADS", "four"}})),
            "environment variable ONEHOP_STORE_THREADS: [store] threads: expected a whole number, "
            "got 'four'");
  EXPECT_EQ(error_of("", env_of({{"ONEHOP_STORE_THREADS", "1025"}})),
            "environment variable ONEHOP_STORE_THREADS: [store] threads: must be at most 1024, "
            "got 1025");
  EXPECT_THAT(error_of("", env_of({{"ONEHOP_UPLOADS_MAX_SIZE", "20 Mb"}})),
              StartsWith("environment variable ONEHOP_UPLOADS_MAX_SIZE: [uploads] max_size: "
                         "unknown size unit 'Mb'"));
  EXPECT_THAT(error_of("", env_of({{"ONEHOP_STORAGE_PATH_STYLE", "yes"}})),
              StartsWith("environment variable ONEHOP_STORAGE_PATH_STYLE: [storage] path_style: "
                         "expected true, false, 1 or 0"));
  EXPECT_THAT(error_of("", env_of({{"ONEHOP_STORE_BUCKETS", "a-bucket,,b-bucket"}})),
              HasSubstr("without empty items"));
  EXPECT_THAT(error_of("", env_of({{"ONEHOP_RATE_LIMIT_USER_RATE", "5/s"}})),
              StartsWith("environment variable ONEHOP_RATE_LIMIT_USER_RATE: [rate_limit] "
                         "user_rate: expected a number"));
  EXPECT_THAT(error_of("", env_of({{"ONEHOP_LOG_LEVEL", "loud"}})),
              StartsWith("environment variable ONEHOP_LOG_LEVEL: [log] level:"));
}

TEST(environment, aws_conventions_for_storage) {
  const onehop_config c = with_env("[storage]\nregion = \"eu-west-1\"\n",
                                   {{"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"},
                                    {"AWS_SECRET_ACCESS_KEY", "secret/example+key"},
                                    {"AWS_SESSION_TOKEN", "token"},
                                    {"AWS_REGION", "eu-central-1"},
                                    {"AWS_DEFAULT_REGION", "ap-south-1"},
                                    {"AWS_ENDPOINT_URL_S3", "https://s3.example.com"},
                                    {"AWS_ENDPOINT_URL", "https://other.example.com"}});
  EXPECT_EQ(c.storage.access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(c.storage.secret_access_key, "secret/example+key");
  EXPECT_EQ(c.storage.session_token, "token");
  EXPECT_EQ(c.storage.region, "eu-central-1");              // AWS_REGION before AWS_DEFAULT_REGION
  EXPECT_EQ(c.storage.endpoint, "https://s3.example.com");  // the S3-specific one first
}

TEST(environment, aws_fallbacks_apply_in_order) {
  const onehop_config c = with_env("", {{"AWS_DEFAULT_REGION", "ap-south-1"},
                                        {"AWS_ENDPOINT_URL", "https://other.example.com"}});
  EXPECT_EQ(c.storage.region, "ap-south-1");
  EXPECT_EQ(c.storage.endpoint, "https://other.example.com");
}

TEST(environment, onehop_names_win_over_aliases) {
  const onehop_config c = with_env("", {{"ONEHOP_STORAGE_REGION", "us-west-2"},
                                        {"AWS_REGION", "eu-central-1"},
                                        {"ONEHOP_AUTH_JWT_SECRET", std::string(32, 'a')},
                                        {"ONEHOP_JWT_SECRET", std::string(32, 'b')}});
  EXPECT_EQ(c.storage.region, "us-west-2");
  EXPECT_EQ(c.auth.jwt_secret, std::string(32, 'a'));
}

TEST(environment, jwt_secret_and_store_keys) {
  const onehop_config c =
      with_env("[store]\naccess_key = \"FILEKEY\"\nsecret_key = \"file-secret\"\n",
               {{"ONEHOP_JWT_SECRET", std::string(40, 'j')},
                {"ONEHOP_STORE_ACCESS_KEY", "ENVKEY"},
                {"ONEHOP_STORE_SECRET_KEY", "env-secret"}});
  EXPECT_EQ(c.auth.jwt_secret, std::string(40, 'j'));
  EXPECT_EQ(c.store.access_key, "ENVKEY");
  EXPECT_EQ(c.store.secret_key, "env-secret");
}

TEST(environment, alias_errors_name_the_alias_without_the_secret) {
  const std::string message = error_of("", env_of({{"ONEHOP_JWT_SECRET", "short-secret-value"}}));
  EXPECT_THAT(message, StartsWith("environment variable ONEHOP_JWT_SECRET: [auth] jwt_secret: "
                                  "must be empty or at least 32 bytes"));
  EXPECT_THAT(message, Not(HasSubstr("short-secret-value")));
  EXPECT_THAT(error_of("", env_of({{"AWS_ENDPOINT_URL", "s3.example.com"}})),
              StartsWith("environment variable AWS_ENDPOINT_URL: [storage] endpoint: expected"));
}

TEST(environment, cross_key_errors_point_at_the_variable) {
  EXPECT_EQ(error_of("", env_of({{"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"}})),
            "environment variable AWS_ACCESS_KEY_ID: [storage] access_key_id: give both "
            "access_key_id and secret_access_key, or neither; secret_access_key is empty");
  EXPECT_THAT(error_of("[uploads]\npart_size = \"8MiB\"\n",
                       env_of({{"ONEHOP_UPLOADS_MULTIPART_THRESHOLD", "6MiB"}})),
              StartsWith("environment variable ONEHOP_UPLOADS_MULTIPART_THRESHOLD: [uploads] "
                         "multipart_threshold:"));
}

TEST(defaults_with_env, is_the_defaults_plus_the_environment) {
  auto plain = defaults_with_env(testing::no_env);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, onehop_config{});
  auto changed = defaults_with_env(env_of({{"ONEHOP_STORE_LISTEN", "127.0.0.1:0"}}));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->store.listen, "127.0.0.1:0");
  auto bad = defaults_with_env(env_of({{"ONEHOP_STORE_LISTEN", "nowhere"}}));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message,
              StartsWith("environment variable ONEHOP_STORE_LISTEN: [store] listen:"));
}

TEST(process_env, reads_the_process_environment_and_treats_empty_as_unset) {
  ::setenv("ONEHOP_CONFIG_TEST_VARIABLE", "value", 1);
  ::setenv("ONEHOP_CONFIG_TEST_EMPTY", "", 1);
  const env_lookup env = process_env();
  EXPECT_EQ(env("ONEHOP_CONFIG_TEST_VARIABLE"), "value");
  EXPECT_EQ(env("ONEHOP_CONFIG_TEST_EMPTY"), std::nullopt);
  EXPECT_EQ(env("ONEHOP_CONFIG_TEST_UNSET_VARIABLE"), std::nullopt);
  ::unsetenv("ONEHOP_CONFIG_TEST_VARIABLE");
  ::unsetenv("ONEHOP_CONFIG_TEST_EMPTY");
}

}  // namespace
}  // namespace onehop::config
