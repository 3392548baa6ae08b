#include "api/upload_token.hpp"

#include <gtest/gtest.h>

#include "api/ids.hpp"

namespace onehop::api {
namespace {

using namespace std::chrono_literals;

const std::string secret(40, 'k');

upload_claims sample() {
  upload_claims c;
  c.body = std::string(id_body(new_upload_id()));
  c.user = "alice";
  c.content_type = "image/png";
  c.filename = "cat \"photo\" é.png";
  c.size = 123456;
  c.sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  c.post = true;
  c.expires = std::chrono::sys_seconds(1'800'000'000s);
  return c;
}

TEST(UploadToken, RoundTrip) {
  const upload_token_signer signer(secret);
  std::string token;
  ASSERT_TRUE(signer.issue(token, sample()));
  EXPECT_TRUE(is_upload_token(token));
  EXPECT_TRUE(plausible_upload_ref(token));
  auto opened = signer.open(token);
  ASSERT_TRUE(opened) << opened.error().message;
  const auto want = sample();
  EXPECT_EQ(opened->user, want.user);
  EXPECT_EQ(opened->content_type, want.content_type);
  EXPECT_EQ(opened->filename, want.filename);
  EXPECT_EQ(opened->size, want.size);
  EXPECT_EQ(opened->sha256, want.sha256);
  EXPECT_EQ(opened->post, want.post);
  EXPECT_EQ(opened->expires, want.expires);
  EXPECT_EQ(opened->body, token.substr(2, id_body_length));
}

TEST(UploadToken, WithoutChecksum) {
  const upload_token_signer signer(secret);
  auto c = sample();
  c.sha256.clear();
  c.post = false;
  std::string token;
  ASSERT_TRUE(signer.issue(token, c));
  auto opened = signer.open(token);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->sha256.empty());
  EXPECT_FALSE(opened->post);
}

TEST(UploadToken, EveryChangedByteIsRefused) {
  const upload_token_signer signer(secret);
  std::string token;
  ASSERT_TRUE(signer.issue(token, sample()));
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(signer.open(changed)) << "byte " << i;
  }
  EXPECT_FALSE(signer.open(token.substr(0, token.size() - 1)));
  EXPECT_FALSE(signer.open(token + "A"));
}

TEST(UploadToken, AnotherSecretIsRefused) {
  std::string token;
  ASSERT_TRUE(upload_token_signer(secret).issue(token, sample()));
  EXPECT_FALSE(upload_token_signer(std::string(40, 'x')).open(token));
}

TEST(UploadToken, MalformedInputs) {
  const upload_token_signer signer(secret);
  for (std::string_view bad :
       {"", "u_", ".", "..", "u_abc.def.ghi", "u_abcdefghijklmnopqrstuvwxyz",
        "u_abcdefghijklmnopqrstuvwxyz..", "u_abcdefghijklmnopqrstuvwxyz.@.x"}) {
    EXPECT_FALSE(signer.open(bad)) << bad;
  }
  EXPECT_FALSE(signer.open(std::string(max_token_size + 1, 'a')));
}

TEST(UploadToken, PlausibleRefs) {
  EXPECT_TRUE(plausible_upload_ref("u_abcdefghijklmnopqrstuvwxya"));
  EXPECT_TRUE(plausible_upload_ref("u_abcdefghijklmnopqrstuvwxya.AbC-_.x"));
  EXPECT_FALSE(plausible_upload_ref("u_abcdefghijklmnopqrstuvwxya/.."));
  EXPECT_FALSE(plausible_upload_ref("u_abcdefghijklmnopqrstuvwxyaX"));
  EXPECT_FALSE(plausible_upload_ref("i_abcdefghijklmnopqrstuvwxya.x"));
  EXPECT_FALSE(
      plausible_upload_ref("u_abcdefghijklmnopqrstuvwxya." + std::string(max_token_size, 'a')));
}

TEST(UploadToken, OversizedFieldsAreRefusedAtIssue) {
  const upload_token_signer signer(secret);
  auto c = sample();
  c.filename = std::string(2000, 'f');
  std::string token = "prefix";
  EXPECT_FALSE(signer.issue(token, c));
  EXPECT_EQ(token, "prefix");
}

}  // namespace
}  // namespace onehop::api
