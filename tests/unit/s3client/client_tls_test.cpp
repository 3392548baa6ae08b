// https: a local TLS server with a certificate made at test time for "localhost" only.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

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
using testing::temp_dir;

class client_tls : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      GTEST_SKIP() << "openssl CLI not available";
    }
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->use_certificate_chain_file(cert_);
    tls->use_private_key_file(key_, asio::ssl::context::pem);
    server_ = std::make_unique<scripted_server>(
        [](unsigned, const seen_request& r) {
          return scripted_response{200, {}, r.method == "HEAD" ? "" : "hello over tls"};
        },
        tls);
  }

  client_config config_for(std::string_view host) {
    auto config = make_config(local_endpoint("https", host, server_->port()));
    config.ca_file = cert_;
    config.retry.max_attempts = 1;
    return config;
  }

  temp_dir dir_;
  std::string cert_;
  std::string key_;
  std::unique_ptr<scripted_server> server_;
  asio::io_context ioc_;
};

TEST_F(client_tls, verified_with_the_given_ca_and_reused) {
  client c(config_for("localhost"));
  for (int i = 0; i < 3; ++i) {
    auto r = run(ioc_, c.get_range("k", 0, 4));
    ASSERT_TRUE(r) << describe(r.error());
    // The server ignores Range; the client keeps only the bytes asked for.
    EXPECT_EQ(*r, "hello");
  }
  EXPECT_EQ(server_->connections(), 1u);
  const auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].host, "localhost:" + std::to_string(server_->port()));
}

TEST_F(client_tls, a_wrong_host_name_fails_verification) {
  // The certificate names only "localhost"; 127.0.0.1 is the same server under another name.
  client c(config_for("127.0.0.1"));
  auto r = run(ioc_, c.head_bucket());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_NE(r.error().message.find("tls"), std::string::npos) << r.error().message;
  EXPECT_EQ(server_->requests(), 0u);
}

TEST_F(client_tls, an_unknown_ca_fails_verification) {
  auto config = config_for("localhost");
  config.ca_file.clear();  // system CAs only: the self-signed certificate is unknown
  client c(config);
  auto r = run(ioc_, c.head_bucket());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  EXPECT_EQ(server_->requests(), 0u);
}

TEST_F(client_tls, verification_can_be_turned_off) {
  auto config = config_for("127.0.0.1");
  config.ca_file.clear();
  config.verify_tls = false;
  client c(config);
  auto r = run(ioc_, c.head_bucket());
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(server_->requests(), 1u);
}

TEST(client_config_errors, a_missing_ca_file_throws_at_construction) {
  auto config = make_config(local_endpoint("https", "localhost", 443));
  config.ca_file = "/nonexistent/ca.pem";
  EXPECT_ANY_THROW(client{config});
}

}  // namespace
}  // namespace onehop::s3client
