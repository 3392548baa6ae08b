#include <gtest/gtest.h>

#include "upload/http_client.hpp"

namespace onehop::upload {
namespace {

TEST(http_url, plain_http_with_port_and_query_kept_verbatim) {
  const auto u = parse_http_url(
      "http://127.0.0.1:9000/onehop/uploads/dev/x.png?X-Amz-Credential=a%2Fb&X-Amz-Signature=00");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_FALSE(u->https);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->host_header, "127.0.0.1:9000");
  EXPECT_EQ(u->target, "/onehop/uploads/dev/x.png?X-Amz-Credential=a%2Fb&X-Amz-Signature=00");
}

TEST(http_url, https_defaults_and_empty_path) {
  const auto u = parse_http_url("https://s3.example.com");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->host_header, "s3.example.com");
  EXPECT_EQ(u->target, "/");
  const auto h = parse_http_url("http://api.example.com/base/");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->port, 80);
  EXPECT_EQ(h->target, "/base/");
}

TEST(http_url, ipv6_host_without_brackets_for_connecting) {
  const auto u = parse_http_url("http://[::1]:8080/api");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->host_header, "[::1]:8080");
  EXPECT_EQ(u->port, 8080);
}

TEST(http_url, refused) {
  EXPECT_FALSE(parse_http_url("ftp://x/"));
  EXPECT_FALSE(parse_http_url("127.0.0.1:8080"));
  EXPECT_FALSE(parse_http_url("/api/uploads"));
  EXPECT_FALSE(parse_http_url("http:///nohost"));
  EXPECT_FALSE(parse_http_url("http://user:pw@host/"));
  EXPECT_FALSE(parse_http_url("http://host:0/"));
  EXPECT_FALSE(parse_http_url(""));
}

}  // namespace
}  // namespace onehop::upload
