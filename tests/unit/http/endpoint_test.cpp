#include "http/endpoint.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::http {
namespace {

TEST(parse_listen_address, accepts_the_documented_forms) {
  auto v4 = parse_listen_address("127.0.0.1:9000");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address().to_string(), "127.0.0.1");
  EXPECT_EQ(v4->port(), 9000);
  auto any = parse_listen_address(":0");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->address().to_string(), "0.0.0.0");
  auto local = parse_listen_address("localhost:65535");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->address().to_string(), "127.0.0.1");
  EXPECT_EQ(local->port(), 65535);
  auto v6 = parse_listen_address("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->address().is_v6());
}

TEST(parse_listen_address, rejects_everything_else) {
  for (const char* bad :
       {"", "9000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
        "::1:80", "[::1:80", "[]:80", "example.com:80", "[1.2.3.4]:80"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
}

TEST(parse_listen_address, size_limit_at_n_and_n_plus_one) {
  // Leading zeros keep the port valid while the text grows to the limit.
  const std::string host = "127.0.0.1:";
  const std::string at_limit =
      host + std::string(max_listen_address_size - host.size() - 2, '0') + "80";
  ASSERT_EQ(at_limit.size(), max_listen_address_size);
  auto parsed = parse_listen_address(at_limit);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->port(), 80);
  EXPECT_FALSE(parse_listen_address("0" + at_limit));
  EXPECT_FALSE(parse_listen_address(host + "0" + at_limit.substr(host.size())));
}

}  // namespace
}  // namespace onehop::http
