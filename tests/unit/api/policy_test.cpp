#include "api/policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onehop::api {
namespace {

constexpr std::uint64_t MiB = 1 << 20;

std::string error_of(const result<void>& r) {
  return r ? std::string() : r.error().message;
}

TEST(PolicyValidate, DefaultsAreValid) {
  EXPECT_TRUE(validate(upload_policy{}));
}

TEST(PolicyValidate, RefusesBadSettingsWithTheSettingName) {
  upload_policy p;
  p.allowed_types.clear();
  EXPECT_NE(error_of(validate(p)).find("allowed_types"), std::string::npos);

  p = {};
  p.allowed_types.push_back("image/svg+xml");
  EXPECT_NE(error_of(validate(p)).find("image/svg+xml"), std::string::npos);

  p = {};
  p.allowed_types = {"image/png", "image/png"};
  EXPECT_NE(error_of(validate(p)).find("twice"), std::string::npos);

  p = {};
  p.max_size = 0;
  EXPECT_NE(error_of(validate(p)).find("max_size"), std::string::npos);

  p = {};
  p.part_size = 5 * MiB - 1;  // N-1
  EXPECT_NE(error_of(validate(p)).find("part_size"), std::string::npos);
  p.part_size = 5 * MiB;  // N
  EXPECT_TRUE(validate(p));

  p = {};
  p.multipart_threshold = 0;
  EXPECT_NE(error_of(validate(p)).find("multipart_threshold"), std::string::npos);
  p.multipart_threshold = s3_max_part_size + 1;
  EXPECT_NE(error_of(validate(p)).find("multipart_threshold"), std::string::npos);
  p.multipart_threshold = s3_max_part_size;
  EXPECT_TRUE(validate(p));

  p = {};
  p.pending_lifetime = std::chrono::seconds(0);
  EXPECT_NE(error_of(validate(p)).find("pending_lifetime"), std::string::npos);
  p.pending_lifetime = max_presign_lifetime + std::chrono::seconds(1);
  EXPECT_NE(error_of(validate(p)).find("pending_lifetime"), std::string::npos);
  p.pending_lifetime = max_presign_lifetime;
  EXPECT_TRUE(validate(p));
}

TEST(PolicyValidate, MaxSizeMustFitInTenThousandParts) {
  upload_policy p;
  p.part_size = 8 * MiB;
  p.max_size = 10000 * p.part_size;  // N parts exactly
  EXPECT_TRUE(validate(p));
  p.max_size += 1;  // needs part 10001
  const std::string e = error_of(validate(p));
  EXPECT_NE(e.find("10000 parts"), std::string::npos) << e;
  // Below the threshold, uploads are single PUTs: the part count does not apply.
  p.multipart_threshold = s3_max_part_size;
  p.max_size = s3_max_part_size;
  p.part_size = 5 * MiB;
  EXPECT_TRUE(validate(p));
}

TEST(PolicyValidate, Prefix) {
  upload_policy p;
  for (const char* good : {"uploads", "a", "app/uploads", "a.b_c-d/e", "x/y/z"}) {
    p.prefix = good;
    EXPECT_TRUE(validate(p)) << good;
  }
  for (const char* bad : {"", "/uploads", "uploads/", "a//b", "..", "a/../b", ".", "a/./b",
                          "up loads", "up%2Fl", "a\\b", "über"}) {
    p.prefix = bad;
    EXPECT_NE(error_of(validate(p)).find("prefix"), std::string::npos) << bad;
  }
  p.prefix = std::string(max_segment_length, 'a');
  EXPECT_TRUE(validate(p));
  p.prefix = std::string(max_segment_length + 1, 'a');
  EXPECT_FALSE(validate(p));
}

TEST(UserSegment, KeepsSafeNames) {
  std::string scratch;
  for (const char* name : {"alice", "Bob", "a", "user.name_1-2", "...", "h", "-h-", "H-x"}) {
    const std::string_view seg = user_segment(name, scratch);
    EXPECT_EQ(seg, name);
  }
  const std::string longest(64, 'z');
  EXPECT_EQ(user_segment(longest, scratch), longest);  // N
}

TEST(UserSegment, HashesEverythingElse) {
  std::string scratch;
  // SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 ...
  EXPECT_EQ(user_segment("", scratch), "h-e3b0c44298fc1c149afbf4c8996fb924");
  // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 ...: "abc" itself is kept, so check
  // hashing via a name that is not kept.
  EXPECT_EQ(user_segment("h-abc", scratch).substr(0, 2), "h-");
  for (const std::string& name :
       {std::string("."), std::string(".."), std::string("a/b"), std::string("../etc"),
        std::string("al ice"), std::string("é"), std::string(65, 'z'), std::string("a\0b", 3),
        std::string("h-x"), std::string("h-e3b0c44298fc1c149afbf4c8996fb924")}) {
    const std::string_view seg = user_segment(name, scratch);
    ASSERT_EQ(seg.size(), 34u) << name;
    EXPECT_EQ(seg.substr(0, 2), "h-");
    EXPECT_EQ(seg.find_first_not_of("0123456789abcdef", 2), std::string_view::npos);
    EXPECT_EQ(seg.data(), scratch.data());
    EXPECT_NE(seg, name);
  }
  // Different names, different segments; the same name, the same segment.
  std::string other;
  EXPECT_NE(std::string(user_segment("a/b", scratch)), std::string(user_segment("a/c", other)));
  EXPECT_EQ(std::string(user_segment("a/b", scratch)), std::string(user_segment("a/b", other)));
}

TEST(UserSegment, HashedNamesAreHashedAgainSoTheyCannotImpersonate) {
  std::string scratch;
  const std::string hashed(user_segment("a/b", scratch));
  std::string other;
  // A user literally named like someone's hashed segment gets a different folder.
  EXPECT_NE(user_segment(hashed, other), hashed);
}

TEST(Keys, MakeKeyAndBelongsTo) {
  std::string key = "old contents that must go";
  make_key(key, "uploads", "alice", "abcdefghijklmnopqrstuvwx2a", "png");
  EXPECT_EQ(key, "uploads/alice/abcdefghijklmnopqrstuvwx2a.png");
  EXPECT_TRUE(key_belongs_to(key, "uploads", "alice"));
  EXPECT_FALSE(key_belongs_to(key, "uploads", "alic"));
  EXPECT_FALSE(key_belongs_to(key, "uploads", "alice2"));
  EXPECT_FALSE(key_belongs_to(key, "upload", "alice"));
  EXPECT_FALSE(key_belongs_to(key, "uploads", ""));
  EXPECT_FALSE(key_belongs_to(key, "", "alice"));
  EXPECT_TRUE(key_belongs_to("app/uploads/bob/x.jpg", "app/uploads", "bob"));

  for (const char* bad :
       {"uploads/alice/", "uploads/alice", "uploads/alice/../bob/x.png", "uploads/alice/a/b.png",
        "uploads/alice/..", "uploads/alice/.", "uploads/alice/a\\b", "uploads/alicex/a.png",
        "uploads//alice/a.png", "uploadsXalice/a.png", "uploads/alice/a\nb", "/uploads/alice/a"}) {
    EXPECT_FALSE(key_belongs_to(bad, "uploads", "alice")) << bad;
  }
}

TEST(PlanUpload, SmallFilesArePutOrPost) {
  const upload_policy p;
  auto plan = plan_upload(p, "image/png", 12345, false, "");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::put);
  EXPECT_EQ(plan->part_count, 0u);
  plan = plan_upload(p, "image/png", 12345, false, "PUT");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::put);
  plan = plan_upload(p, "image/jpeg", 1, false, "POST");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::post);
}

TEST(PlanUpload, DefaultMethodAppliesOnlyWhenTheRequestNamesNone) {
  upload_policy p;
  p.default_post = true;  // [uploads] default_method = "POST"
  p.max_size = 100 * MiB;
  auto plan = plan_upload(p, "image/png", 12345, false, "");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::post);
  plan = plan_upload(p, "image/png", 12345, false, "PUT");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::put);
  // Above the threshold the size decides, whatever the default.
  plan = plan_upload(p, "image/png", p.multipart_threshold + 1, false, "");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->method, upload_method::multipart);
}

TEST(PlanUpload, RefusalsHaveTheRightCodeAndMessage) {
  const upload_policy p;
  auto r = plan_upload(p, "text/plain", 10, false, "PUT");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unsupported_type);
  EXPECT_EQ(r.error().message,
            "content type text/plain is not allowed; allowed: image/jpeg, image/png, image/gif, "
            "image/webp, image/avif");

  r = plan_upload(p, "image/PNG", 10, false, "PUT");  // exact match: it is what gets signed
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unsupported_type);

  r = plan_upload(p, std::string("image/png\0x", 11), 10, false, "PUT");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\0'), std::string::npos);

  r = plan_upload(p, "image/png", 0, false, "PUT");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_request);

  r = plan_upload(p, "image/png", p.max_size, false, "PUT");  // N
  EXPECT_TRUE(r);
  r = plan_upload(p, "image/png", p.max_size + 1, false, "PUT");  // N+1
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::too_large);
  EXPECT_NE(r.error().message.find(std::to_string(p.max_size)), std::string::npos);

  for (const char* m : {"GET", "put", "MULTIPART", "PUT ", "DELETE"}) {
    r = plan_upload(p, "image/png", 10, false, m);
    ASSERT_FALSE(r) << m;
    EXPECT_EQ(r.error().code, errc::invalid_request);
  }
  // The method is checked first: a bad method and a bad type answer 400.
  r = plan_upload(p, "text/plain", 10, false, "GET");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_request);
}

TEST(PlanUpload, ChecksumRequired) {
  upload_policy p;
  p.checksum_required = true;
  auto r = plan_upload(p, "image/png", 10, false, "PUT");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_request);
  EXPECT_NE(r.error().message.find("sha256"), std::string::npos);
  EXPECT_TRUE(plan_upload(p, "image/png", 10, true, "PUT"));
}

TEST(PlanUpload, MultipartAboveTheThreshold) {
  upload_policy p;
  p.max_size = 100 * MiB;
  p.multipart_threshold = 16 * MiB;
  p.part_size = 8 * MiB;
  auto r = plan_upload(p, "image/png", 16 * MiB, false, "POST");  // N: still single
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, upload_method::post);

  r = plan_upload(p, "image/png", 16 * MiB + 1, false, "POST");  // N+1: multipart
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, upload_method::multipart);
  EXPECT_EQ(r->part_size, 8 * MiB);
  EXPECT_EQ(r->part_count, 3u);

  r = plan_upload(p, "image/png", 40 * MiB, false, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->part_count, 5u);  // exact multiple: no empty last part
  r = plan_upload(p, "image/png", 40 * MiB + 1, false, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->part_count, 6u);
}

TEST(PlanUpload, PolicyThatSkippedValidationCannotPlanTooManyParts) {
  upload_policy p;
  p.max_size = 1ull << 40;
  p.multipart_threshold = 1;
  p.part_size = 1;
  auto r = plan_upload(p, "image/png", 10001, false, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::internal);
  r = plan_upload(p, "image/png", 10000, false, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->part_count, 10000u);
}

}  // namespace
}  // namespace onehop::api
