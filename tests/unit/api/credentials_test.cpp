#include "api/credentials.hpp"

#include <gtest/gtest.h>

#include "api/static_files.hpp"
#include "api/upload_urls.hpp"

namespace onehop::api {
namespace {

TEST(Credentials, BearerWinsOverApiKeyAndCookie) {
  const auto c = find_credential("Bearer abc.def.ghi", "key", "onehop_token=zzz", "onehop_token");
  EXPECT_EQ(c.source, credential_source::bearer);
  EXPECT_EQ(c.value, "abc.def.ghi");
  EXPECT_EQ(find_credential("bearer   tok  ", "", "", "onehop_token").value, "tok");
}

TEST(Credentials, OtherSchemeIsPresentedEmptyNotSkipped) {
  const auto c = find_credential("Basic dXNlcjpwYXNz", "", "onehop_token=zzz", "onehop_token");
  EXPECT_EQ(c.source, credential_source::bearer);
  EXPECT_TRUE(c.value.empty());
}

TEST(Credentials, ApiKeyThenCookie) {
  EXPECT_EQ(find_credential("", "k1", "onehop_token=zzz", "onehop_token").source,
            credential_source::api_key_header);
  const auto c = find_credential("", "", "a=1; onehop_token=zzz; b=2", "onehop_token");
  EXPECT_EQ(c.source, credential_source::cookie);
  EXPECT_EQ(c.value, "zzz");
  EXPECT_EQ(find_credential("", "", "a=1; other=2", "onehop_token").source,
            credential_source::none);
  EXPECT_EQ(find_credential("", "", "onehop_token=", "onehop_token").source,
            credential_source::none);
}

TEST(Credentials, CookieValues) {
  EXPECT_EQ(cookie_value("a=1;b=2", "b"), "2");
  EXPECT_EQ(cookie_value(" a = \"q\" ", "a"), "q");
  EXPECT_FALSE(cookie_value("ab=1", "a").has_value());
  EXPECT_FALSE(cookie_value("", "a").has_value());
}

TEST(Credentials, OriginMustMatchExactly) {
  const std::vector<std::string> allowed{"http://127.0.0.1:8080", "https://app.example"};
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8080", allowed));
  EXPECT_TRUE(origin_allowed("https://app.example", allowed));
  EXPECT_FALSE(origin_allowed("https://app.example.evil", allowed));
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:8081", allowed));
  EXPECT_FALSE(origin_allowed("null", allowed));
  EXPECT_FALSE(origin_allowed("", allowed));
}

TEST(Credentials, SessionCookieAttributes) {
  const auto c = session_cookie("onehop_token", "t", 60, true);
  EXPECT_EQ(c, "onehop_token=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
}

TEST(StaticFiles, SafePaths) {
  EXPECT_EQ(static_files::safe_relative_path("/"), "index.html");
  EXPECT_EQ(static_files::safe_relative_path("/assets/a.js"), "assets/a.js");
  EXPECT_EQ(static_files::safe_relative_path("/examples/uppy/"), "examples/uppy/index.html");
  EXPECT_EQ(static_files::safe_relative_path("/a%20b.png"), "a b.png");
  for (std::string_view bad : {"/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/a//b", "/./a",
                               "/a%00b", "/a\\b", "/%5c..", "/%zz", "/%2", "relative", ""}) {
    EXPECT_FALSE(static_files::safe_relative_path(bad).has_value()) << bad;
  }
}

TEST(StaticFiles, ContentTypes) {
  EXPECT_EQ(static_files::content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(static_files::content_type_for("assets/x.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(static_files::content_type_for("x.unknown"), "application/octet-stream");
}

TEST(ContentDisposition, AnyFileNameIsSafe) {
  EXPECT_EQ(inline_content_disposition("cat.png"),
            "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png");
  const auto tricky = inline_content_disposition("a\"b\\c\r\nd é.png");
  EXPECT_EQ(tricky.find('\r'), std::string::npos);
  EXPECT_EQ(tricky.find('\n'), std::string::npos);
  EXPECT_EQ(tricky,
            "inline; filename=\"a_b_c__d __.png\"; filename*=UTF-8''a%22b%5Cc%0D%0Ad%20%C3%A9.png");
}

}  // namespace
}  // namespace onehop::api
