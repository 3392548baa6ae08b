// parse(): the file layer and every single-key and cross-key rule, at N and N+1.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"
#include "test_support.hpp"

namespace onehop::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::AllOf;
using testing::error_of;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

onehop_config parse_ok(std::string_view text) {
  auto r = parse(text, "onehop.toml", testing::no_env);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : onehop_config{};
}

// `key = value` in `[section]`, on line 2.
std::string one(std::string_view section, std::string_view key, std::string_view value) {
  return std::string("[") + std::string(section) + "]\n" + std::string(key) + " = " +
         std::string(value) + "\n";
}

TEST(parse, empty_text_is_the_defaults) {
  const onehop_config c = parse_ok("");
  EXPECT_EQ(c, onehop_config{});
  EXPECT_EQ(c.store.listen, "127.0.0.1:9000");
  EXPECT_EQ(c.uploads.max_size, 10 * mib);
  EXPECT_EQ(c.storage.timeout, milliseconds(15000));
}

TEST(parse, reads_every_kind_of_value) {
  const onehop_config c = parse_ok(R"(
[store]
listen = "0.0.0.0:9100"
buckets = ["photos", "avatars"]
max_object_size = "1GiB"
idle_timeout = "2m"
threads = 3
[api]
allowed_origins = ["https://app.example.com", "http://localhost:5173"]
max_body_bytes = 131072
[storage]
path_style = false
endpoint = "https://s3.eu-west-1.amazonaws.com"
region = "eu-west-1"
timeout = "2500ms"
view_url_ttl = 600
[auth]
leeway = "1m"
[[auth.api_keys]]
sha256 = "AB8F1E3C00000000000000000000000000000000000000000000000000000000"
user = "backend"
[uploads]
max_size = "100 MB"
allowed_types = ["image/png"]
pending_lifetime = "1h30m"
checksum_required = true
[rate_limit]
user_rate = 2.5
ip_burst = 100
[log]
level = "debug"
format = "text"
)");
  EXPECT_EQ(c.store.listen, "0.0.0.0:9100");
  EXPECT_EQ(c.store.buckets, (std::vector<std::string>{"photos", "avatars"}));
  EXPECT_EQ(c.store.max_object_size, 1 * gib);
  EXPECT_EQ(c.store.idle_timeout, seconds(120));
  EXPECT_EQ(c.store.threads, 3u);
  EXPECT_EQ(c.api.allowed_origins.size(), 2u);
  EXPECT_EQ(c.api.max_body_bytes, 131072u);
  EXPECT_FALSE(c.storage.path_style);
  EXPECT_EQ(c.storage.timeout, milliseconds(2500));
  EXPECT_EQ(c.storage.view_url_ttl, seconds(600));
  EXPECT_EQ(c.auth.leeway, seconds(60));
  ASSERT_EQ(c.auth.api_keys.size(), 1u);
  // Normalized to lower case, so the API compares hex digests byte for byte.
  EXPECT_EQ(c.auth.api_keys[0].sha256,
            "ab8f1e3c00000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(c.auth.api_keys[0].user, "backend");
  EXPECT_EQ(c.uploads.max_size, 100000000u);
  EXPECT_EQ(c.uploads.pending_lifetime, seconds(5400));
  EXPECT_TRUE(c.uploads.checksum_required);
  EXPECT_EQ(c.rate_limit.user_rate, 2.5);
  EXPECT_EQ(c.rate_limit.ip_burst, 100.0);
  EXPECT_EQ(c.log.level, "debug");
  // Keys not in the file keep their defaults.
  EXPECT_EQ(c.store.region, "us-east-1");
  EXPECT_EQ(c.database.path, "./data/onehop.db");
}

TEST(parse, invalid_toml_names_file_line_and_column) {
  EXPECT_THAT(error_of("[store]\nlisten = \n"),
              AllOf(StartsWith("onehop.toml:2:"), HasSubstr("invalid TOML")));
  EXPECT_THAT(error_of("[store]\nthreads = 1\nthreads = 2\n"),
              AllOf(StartsWith("onehop.toml:3:"), HasSubstr("invalid TOML")));
}

TEST(parse, unknown_sections_and_keys_are_errors_with_their_line) {
  EXPECT_EQ(error_of("\n[stroage]\nbucket = \"x\"\n"),
            "onehop.toml:2: unknown section [stroage]; known: [store], [api], [storage], [auth], "
            "[uploads], [rate_limit], [database], [log]");
  EXPECT_THAT(error_of("[uploads]\nmax_size = 1\nmax_szie = 2\n"),
              AllOf(StartsWith("onehop.toml:3: [uploads] unknown key 'max_szie'; known: prefix, "),
                    HasSubstr("max_size")));
  EXPECT_THAT(error_of("listen = \"127.0.0.1:1\"\n"),
              AllOf(StartsWith("onehop.toml:1: unknown key 'listen' outside any section")));
  EXPECT_THAT(error_of("store = 5\n"),
              StartsWith("onehop.toml:1: [store] must be a table, got an integer"));
  EXPECT_THAT(error_of(std::string("[auth]\n[[auth.api_keys]]\nsha256 = \"") +
                       std::string(64, 'a') + "\"\nuser = \"u\"\nrole = \"admin\"\n"),
              AllOf(StartsWith("onehop.toml:5: [auth] api_keys: item 1: unknown key 'role'")));
}

TEST(parse, reports_the_first_problem_in_file_order) {
  // TOML tables iterate in key order; the message must follow the file instead.
  EXPECT_THAT(error_of("[uploads]\nmax_size = \"x\"\nallowed_types = []\n"),
              StartsWith("onehop.toml:2: [uploads] max_size:"));
  EXPECT_THAT(error_of("[store]\nthreads = \"x\"\n[api]\nthreads = \"y\"\n"),
              StartsWith("onehop.toml:2: [store] threads:"));
  EXPECT_THAT(error_of("[zzz]\n[api]\nthreads = \"y\"\n"),
              StartsWith("onehop.toml:1: unknown section [zzz]"));
}

TEST(parse, wrong_types_name_the_expected_type) {
  EXPECT_EQ(error_of(one("store", "threads", "\"4\"")),
            "onehop.toml:2: [store] threads: expected a whole number, got a string");
  EXPECT_EQ(error_of(one("store", "listen", "9000")),
            "onehop.toml:2: [store] listen: expected a string, got an integer");
  EXPECT_EQ(
      error_of(one("storage", "path_style", "\"yes\"")),
      "onehop.toml:2: [storage] path_style: expected a boolean (true or false), got a string");
  EXPECT_THAT(error_of(one("uploads", "max_size", "1.5")),
              AllOf(StartsWith("onehop.toml:2: [uploads] max_size: expected a size"),
                    HasSubstr("got a float")));
  EXPECT_THAT(
      error_of(one("store", "idle_timeout", "true")),
      AllOf(HasSubstr("[store] idle_timeout: expected a duration"), HasSubstr("got a boolean")));
  EXPECT_EQ(error_of(one("rate_limit", "ip_rate", "\"5\"")),
            "onehop.toml:2: [rate_limit] ip_rate: expected a number, got a string");
  EXPECT_EQ(error_of(one("store", "buckets", "\"photos\"")),
            "onehop.toml:2: [store] buckets: expected an array of strings, got a string");
  EXPECT_EQ(error_of("[store]\nbuckets = [\n  \"photos\",\n  7,\n]\n"),
            "onehop.toml:4: [store] buckets: expected an array of strings, item 2 is an integer");
  EXPECT_EQ(error_of(one("store", "threads", "-1")),
            "onehop.toml:2: [store] threads: must not be negative, got -1");
}

TEST(parse, sizes_accept_integers_and_strings) {
  EXPECT_EQ(parse_ok(one("uploads", "max_size", "20971520")).uploads.max_size, 20 * mib);
  EXPECT_EQ(parse_ok(one("uploads", "max_size", "\"20MiB\"")).uploads.max_size, 20 * mib);
  EXPECT_EQ(parse_ok(one("uploads", "max_size", "\"20 MB\"")).uploads.max_size, 20000000u);
  EXPECT_THAT(error_of(one("uploads", "max_size", "\"20 Mb\"")),
              AllOf(StartsWith("onehop.toml:2: [uploads] max_size: unknown size unit 'Mb'"),
                    HasSubstr("got '20 Mb'")));
}

TEST(parse, durations_in_whole_seconds_refuse_milliseconds_that_do_not_add_up) {
  EXPECT_EQ(parse_ok(one("storage", "view_url_ttl", "\"2000ms\"")).storage.view_url_ttl,
            seconds(2));
  EXPECT_EQ(error_of(one("storage", "view_url_ttl", "\"1500ms\"")),
            "onehop.toml:2: [storage] view_url_ttl: is in whole seconds, got 1500ms");
  EXPECT_EQ(parse_ok(one("storage", "timeout", "\"1500ms\"")).storage.timeout, milliseconds(1500));
  EXPECT_EQ(parse_ok(one("storage", "timeout", "3")).storage.timeout, milliseconds(3000));
}

// Every numeric limit at N (accepted) and N+1 (refused), both ends.
struct limit_case {
  std::string section;
  std::string key;
  std::string lowest;
  std::string below;  // empty: no lower limit to cross
  std::string highest;
  std::string above;  // empty: no upper limit to cross
};

void PrintTo(const limit_case& c, std::ostream* os) {
  *os << c.section << "." << c.key;
}

class limits : public ::testing::TestWithParam<limit_case> {};

TEST_P(limits, accepts_the_limit_and_refuses_one_past_it) {
  const limit_case& c = GetParam();
  EXPECT_THAT(error_of(one(c.section, c.key, c.lowest)), IsEmpty()) << c.lowest;
  EXPECT_THAT(error_of(one(c.section, c.key, c.highest)), IsEmpty()) << c.highest;
  const std::string label = "onehop.toml:2: [" + c.section + "] " + c.key + ": must ";
  if (!c.below.empty()) {
    EXPECT_THAT(error_of(one(c.section, c.key, c.below)), StartsWith(label)) << c.below;
  }
  if (!c.above.empty()) {
    EXPECT_THAT(error_of(one(c.section, c.key, c.above)), StartsWith(label)) << c.above;
  }
}

// `prefix` then `value` and a newline, appended in place: g++ 12 -O3 misreports
// `const std::string& + std::string&&` (-Wrestrict, GCC bug 105651).
std::string line_after(const std::string& prefix, std::string_view value) {
  std::string text = prefix;
  text += value;
  text += '\n';
  return text;
}

std::string quoted_text(std::size_t n) {
  return std::string("\"") + std::string(n, 'a') + "\"";
}

INSTANTIATE_TEST_SUITE_P(
    every_key, limits,
    ::testing::Values(
        limit_case{"store", "threads", "0", "", "1024", "1025"},
        limit_case{"store", "sync_threads", "1", "0", "1024", "1025"},
        limit_case{"store", "max_object_size", "1", "0", "\"5GiB\"", "5368709121"},
        limit_case{"store", "max_connections", "1", "0", "1000000", "1000001"},
        limit_case{"store", "idle_timeout", "1", "0", "\"1h\"", "3601"},
        limit_case{"store", "region", quoted_text(1), quoted_text(0), quoted_text(64),
                   quoted_text(65)},
        limit_case{"api", "threads", "0", "", "1024", "1025"},
        limit_case{"api", "max_body_bytes", "1024", "1023", "\"16MiB\"", "16777217"},
        limit_case{"storage", "view_url_ttl", "1", "0", "604800", "604801"},
        limit_case{"storage", "timeout", "\"100ms\"", "\"99ms\"", "300", "\"300001ms\""},
        limit_case{"storage", "max_attempts", "1", "0", "10", "11"},
        limit_case{"auth", "leeway", "0", "", "600", "601"},
        limit_case{"auth", "cookie_name", quoted_text(1), quoted_text(0), quoted_text(64),
                   quoted_text(65)},
        limit_case{"uploads", "pending_lifetime", "1", "0", "604800", "604801"},
        limit_case{"uploads", "max_size", "1", "0", "\"80000MiB\"", ""},
        limit_case{"uploads", "multipart_threshold", "\"8MiB\"", "0", "\"5GiB\"", "5368709121"}));

TEST(parse, max_size_up_to_5_tib) {
  const std::string base =
      "[uploads]\nmultipart_threshold = \"5GiB\"\npart_size = \"5GiB\"\nmax_size = ";
  EXPECT_THAT(error_of(base + "\"5TiB\"\n"), IsEmpty());
  EXPECT_THAT(error_of(line_after(base, std::to_string(5 * tib + 1))),
              StartsWith("onehop.toml:4: [uploads] max_size: must be from 1 byte to 5 TiB"));
}

TEST(parse, part_size_between_5_mib_and_5_gib) {
  EXPECT_THAT(error_of(one("uploads", "part_size", "\"5MiB\"")), IsEmpty());
  EXPECT_EQ(error_of(one("uploads", "part_size", "5242879")),
            "onehop.toml:2: [uploads] part_size: must be from 5 MiB (5242880 bytes) to 5 GiB "
            "(5368709120 bytes), got 5242879 bytes");
  // The upper end needs a threshold (and max size) to match.
  const std::string big = "[uploads]\nmultipart_threshold = \"5GiB\"\npart_size = ";
  EXPECT_THAT(error_of(big + "\"5GiB\"\n"), IsEmpty());
  EXPECT_THAT(error_of(big + "5368709121\n"),
              StartsWith("onehop.toml:3: [uploads] part_size: must be"));
}

TEST(parse, multipart_threshold_at_least_part_size) {
  EXPECT_THAT(error_of("[uploads]\npart_size = \"16MiB\"\nmultipart_threshold = \"16MiB\"\n"),
              IsEmpty());
  EXPECT_EQ(error_of("[uploads]\npart_size = \"16MiB\"\nmultipart_threshold = 16777215\n"),
            "onehop.toml:3: [uploads] multipart_threshold: multipart_threshold (16777215 bytes) "
            "must be at least part_size (16 MiB (16777216 bytes)): a file that goes multipart "
            "must fill at least one part");
  // Only part_size was set: the message points at it, not at the default threshold.
  EXPECT_THAT(error_of("[uploads]\n\npart_size = \"32MiB\"\n"),
              StartsWith("onehop.toml:3: [uploads] part_size: multipart_threshold"));
}

TEST(parse, at_most_10000_parts_for_max_size) {
  const std::string base = "[uploads]\npart_size = \"5MiB\"\nmax_size = ";
  EXPECT_THAT(error_of(line_after(base, std::to_string(10000 * 5 * mib))), IsEmpty());
  EXPECT_EQ(error_of(line_after(base, std::to_string(10000 * 5 * mib + 1))),
            "onehop.toml:3: [uploads] max_size: a max_size (52428800001 bytes) upload would "
            "need 10001 parts of part_size (5 MiB (5242880 bytes)); S3 allows at most 10000 "
            "parts");
}

TEST(parse, allowed_types_only_what_onehop_can_verify) {
  EXPECT_THAT(
      error_of(one("uploads", "allowed_types",
                   R"(["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"])")),
      IsEmpty());
  EXPECT_EQ(error_of(one("uploads", "allowed_types", R"(["image/png", "image/svg+xml"])")),
            "onehop.toml:2: [uploads] allowed_types: item 2: 'image/svg+xml' cannot be allowed: "
            "onehop can only verify image/jpeg, image/png, image/gif, image/webp and image/avif");
  EXPECT_THAT(error_of(one("uploads", "allowed_types", R"(["image/png", "image/png"])")),
              HasSubstr("'image/png' is listed twice"));
  EXPECT_EQ(error_of(one("uploads", "allowed_types", "[]")),
            "onehop.toml:2: [uploads] allowed_types: must not be empty");
}

TEST(parse, listen_addresses_and_endpoints_must_parse) {
  EXPECT_THAT(error_of(one("api", "listen", "\"localhost:8080\"")), IsEmpty());
  EXPECT_THAT(error_of(one("api", "listen", "\"example.com:8080\"")),
              AllOf(StartsWith("onehop.toml:2: [api] listen: expected HOST:PORT"),
                    HasSubstr("got 'example.com:8080'")));
  EXPECT_THAT(error_of(one("store", "listen", "\"127.0.0.1:65536\"")),
              StartsWith("onehop.toml:2: [store] listen: expected HOST:PORT"));
  EXPECT_THAT(error_of(one("storage", "endpoint", "\"https://s3.example.com:8443\"")), IsEmpty());
  EXPECT_THAT(error_of(one("storage", "endpoint", "\"s3.example.com\"")),
              StartsWith("onehop.toml:2: [storage] endpoint: expected an http:// or https:// URL"));
  EXPECT_THAT(error_of(one("storage", "endpoint", "\"https://s3.example.com/bucket\"")),
              StartsWith("onehop.toml:2: [storage] endpoint: expected"));
  EXPECT_THAT(error_of(one("storage", "public_endpoint", "\"\"")), IsEmpty());
  EXPECT_THAT(error_of(one("storage", "public_endpoint", "\"ftp://x\"")),
              StartsWith("onehop.toml:2: [storage] public_endpoint: expected"));
  EXPECT_THAT(error_of(one("storage", "public_base_url", "\"https://cdn.example.com/img\"")),
              IsEmpty());
  EXPECT_THAT(error_of(one("storage", "public_base_url", "\"https://cdn.example.com/?a=1\"")),
              StartsWith("onehop.toml:2: [storage] public_base_url: expected"));
  EXPECT_THAT(error_of(one("api", "public_url", "\"https:///x\"")),
              StartsWith("onehop.toml:2: [api] public_url: expected"));
}

TEST(parse, bucket_names_follow_s3_rules) {
  EXPECT_THAT(error_of(one("storage", "bucket", "\"my.photos-1\"")), IsEmpty());
  EXPECT_THAT(error_of(one("storage", "bucket", "\"My_Photos\"")),
              StartsWith("onehop.toml:2: [storage] bucket: expected an S3 bucket name"));
  EXPECT_THAT(error_of(one("storage", "bucket", "\"ab\"")),
              StartsWith("onehop.toml:2: [storage] bucket: must be from 3 to 63 bytes long"));
  EXPECT_THAT(error_of(one("store", "buckets", R"(["ok-bucket", "-bad"])")),
              AllOf(StartsWith("onehop.toml:2: [store] buckets: item 2:"), HasSubstr("'-bad'")));
  // Virtual-hosted style puts the bucket in the host name: no dots, no IP endpoint.
  EXPECT_THAT(error_of("[storage]\nendpoint = \"https://s3.example.com\"\nbucket = \"my.photos\"\n"
                       "path_style = false\n"),
              AllOf(StartsWith("onehop.toml:3: [storage] bucket: with path_style = false"),
                    HasSubstr("onehop.toml:4")));
  EXPECT_THAT(error_of("[storage]\npath_style = false\n"),
              AllOf(StartsWith("onehop.toml:2: [storage] path_style: with path_style = false the "
                               "endpoint needs a DNS name"),
                    HasSubstr("'127.0.0.1'")));
}

TEST(parse, origins_as_browsers_send_them) {
  EXPECT_THAT(error_of(one("api", "allowed_origins", R"(["https://app.example.com:8443"])")),
              IsEmpty());
  EXPECT_THAT(error_of(one("api", "allowed_origins", R"(["https://app.example.com/"])")),
              HasSubstr("write the origin as browsers send it, 'https://app.example.com'"));
  EXPECT_THAT(error_of(one("api", "allowed_origins", R"(["https://app.example.com:443"])")),
              HasSubstr("'https://app.example.com'"));
  EXPECT_THAT(error_of(one("api", "allowed_origins", R"(["*"])")),
              HasSubstr("\"*\" is not accepted"));
}

TEST(parse, enumerations) {
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    EXPECT_THAT(error_of(one("log", "level", std::string("\"") + std::string(level) + "\"")),
                IsEmpty());
  }
  EXPECT_EQ(error_of(one("log", "level", "\"verbose\"")),
            "onehop.toml:2: [log] level: expected one of trace, debug, info, warn, error, got "
            "'verbose'");
  EXPECT_THAT(error_of(one("log", "format", "\"xml\"")),
              StartsWith("onehop.toml:2: [log] format: expected \"json\" or \"text\""));
  EXPECT_THAT(error_of(one("uploads", "default_method", "\"POST\"")), IsEmpty());
  EXPECT_THAT(error_of(one("uploads", "default_method", "\"put\"")),
              StartsWith("onehop.toml:2: [uploads] default_method: expected \"PUT\" or \"POST\""));
}

TEST(parse, rates_above_zero_and_bursts_at_least_one) {
  EXPECT_THAT(error_of(one("rate_limit", "user_rate", "0.001")), IsEmpty());
  EXPECT_THAT(error_of(one("rate_limit", "user_rate", "0")),
              StartsWith("onehop.toml:2: [rate_limit] user_rate: expected a number of requests "
                         "per second above 0"));
  EXPECT_THAT(error_of(one("rate_limit", "ip_rate", "-1")), HasSubstr("[rate_limit] ip_rate"));
  EXPECT_THAT(error_of(one("rate_limit", "ip_rate", "nan")), HasSubstr("[rate_limit] ip_rate"));
  EXPECT_THAT(error_of(one("rate_limit", "ip_rate", "inf")), HasSubstr("[rate_limit] ip_rate"));
  EXPECT_THAT(error_of(one("rate_limit", "ip_rate", "1000000")), IsEmpty());
  EXPECT_THAT(error_of(one("rate_limit", "ip_rate", "1000000.5")), Not(IsEmpty()));
  EXPECT_THAT(error_of(one("rate_limit", "user_burst", "1")), IsEmpty());
  EXPECT_THAT(error_of(one("rate_limit", "user_burst", "0.99")),
              StartsWith("onehop.toml:2: [rate_limit] user_burst: expected a number of requests "
                         "from 1"));
}

TEST(parse, key_prefix_is_safe_path_segments) {
  EXPECT_THAT(error_of(one("uploads", "prefix", "\"app/images-2\"")), IsEmpty());
  for (const char* bad : {"\"/uploads\"", "\"uploads/\"", "\"a//b\"", "\"a/../b\"", "\".\"",
                          "\"up loads\"", "\"\""}) {
    EXPECT_THAT(error_of(one("uploads", "prefix", bad)),
                StartsWith("onehop.toml:2: [uploads] prefix:"))
        << bad;
  }
}

TEST(parse, database_url_is_refused_until_postgres_is_supported) {
  const std::string password = "hunter2-password";
  const std::string message =
      error_of(one("database", "url", "\"postgres://u:" + password + "@db/onehop\""));
  EXPECT_EQ(message,
            "onehop.toml:2: [database] url: PostgreSQL is not supported yet; leave url empty to "
            "use SQLite at [database] path");
  EXPECT_THAT(error_of(one("database", "url", "\"mysql://u:" + password + "@db\"")),
              AllOf(HasSubstr("expected a postgres:// URL"), Not(HasSubstr(password))));
}

TEST(parse, key_pairs_are_both_or_neither) {
  EXPECT_THAT(error_of("[store]\naccess_key = \"AKIALOCAL\"\nsecret_key = \"local-secret\"\n"),
              IsEmpty());
  EXPECT_EQ(error_of("[store]\naccess_key = \"AKIALOCAL\"\n"),
            "onehop.toml:2: [store] access_key: give both access_key and secret_key, or neither; "
            "secret_key is empty");
  EXPECT_THAT(error_of("[storage]\n\nsecret_access_key = \"s3cr3t-value\"\n"),
              StartsWith("onehop.toml:3: [storage] secret_access_key: give both"));
  EXPECT_THAT(error_of("[storage]\nsession_token = \"tok\"\n"),
              StartsWith("onehop.toml:2: [storage] session_token: a session token needs"));
}

TEST(parse, secret_lengths_at_n_and_n_plus_one) {
  const auto store_keys = [](std::size_t access, std::size_t secret) {
    return std::string("[store]\naccess_key = \"") + std::string(access, 'A') +
           "\"\nsecret_key = \"" + std::string(secret, 's') + "\"\n";
  };
  EXPECT_THAT(error_of(store_keys(3, 8)), IsEmpty());
  EXPECT_THAT(error_of(store_keys(2, 8)), StartsWith("onehop.toml:2: [store] access_key: must be"));
  EXPECT_THAT(error_of(store_keys(3, 7)), StartsWith("onehop.toml:3: [store] secret_key: must be"));
  EXPECT_THAT(error_of(store_keys(128, 128)), IsEmpty());
  EXPECT_THAT(error_of(store_keys(129, 8)),
              StartsWith("onehop.toml:2: [store] access_key: must be at most 128 bytes long"));
  EXPECT_THAT(error_of(one("auth", "jwt_secret", std::string("\"") + std::string(32, 'k') + "\"")),
              IsEmpty());
  EXPECT_THAT(error_of(one("auth", "jwt_secret", std::string("\"") + std::string(31, 'k') + "\"")),
              StartsWith("onehop.toml:2: [auth] jwt_secret: must be empty or at least 32 bytes"));
}

TEST(parse, secrets_are_never_repeated_in_messages) {
  const std::string secret = "Sup3rSecretValue";
  const std::vector<std::string> texts{
      "[store]\nsecret_key = \"" + secret + "\"\n",                               // pair incomplete
      "[store]\naccess_key = \"" + secret + "/x\"\nsecret_key = \"abcdefgh\"\n",  // bad char
      "[storage]\nsecret_access_key = \"" + secret + "\"\n",
      "[storage]\nsecret_access_key = \"" + secret + "\\u0001\"\n",
      "[auth]\njwt_secret = \"" + secret + "\"\n",  // too short
      "[auth]\n[[auth.api_keys]]\nsha256 = \"" + secret + "\"\nuser = \"u\"\n",
  };
  for (const auto& text : texts) {
    const std::string message = error_of(text);
    EXPECT_THAT(message, Not(IsEmpty())) << text;
    EXPECT_THAT(message, Not(HasSubstr(secret))) << message;
  }
}

TEST(parse, api_keys) {
  const std::string hex(64, 'c');
  EXPECT_EQ(error_of("[auth]\napi_keys = [{sha256 = \"" + hex + "\", user = \"a\"}, {sha256 = \"" +
                     hex + "\", user = \"b\"}]\n"),
            "onehop.toml:2: [auth] api_keys: item 2: the same key hash is listed twice");
  EXPECT_THAT(error_of("[auth]\napi_keys = [{sha256 = \"" + hex + "\", user = \"../x\"}]\n"),
              HasSubstr("item 1: user must be"));
  EXPECT_THAT(error_of("[auth]\napi_keys = [{sha256 = \"" + hex + "\"}]\n"),
              HasSubstr("item 1: needs both sha256 and user"));
  EXPECT_THAT(error_of("[auth]\napi_keys = [{sha256 = \"" + hex.substr(1) + "\", user = \"a\"}]\n"),
              HasSubstr("item 1: sha256 must be"));
}

TEST(parse, text_size_limit_at_n_and_n_plus_one) {
  std::string text = "# ";
  text += std::string(max_config_bytes - text.size() - 1, 'x');
  text += '\n';
  ASSERT_EQ(text.size(), max_config_bytes);
  EXPECT_THAT(error_of(text), IsEmpty());
  EXPECT_EQ(error_of(text + "\n"), std::string("onehop.toml: the file is larger than ") +
                                       std::to_string(max_config_bytes) + " bytes");
}

TEST(parse, value_throws_the_message) {
  auto r = parse("[log]\nlevel = \"loud\"\n", "x.toml", testing::no_env);
  ASSERT_FALSE(r);
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), StartsWith("x.toml:2: [log] level:"));
  }
}

}  // namespace
}  // namespace onehop::config
