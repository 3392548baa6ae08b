// Multipart uploads in the disk engine, and the pure rules behind them.

#include "store/multipart.hpp"

#include "engine_test_support.hpp"
#include "store/object_store.hpp"

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

using testing::count_entries;
using testing::faulty_fs;
using testing::temp_dir;
using testing::test_now;

class multipart_test : public ::testing::Test {
 protected:
  void SetUp() override { reopen(test_now); }

  void reopen(timestamp now, open_report* report = nullptr) {
    store_.reset();
    store_options o;
    o.data_dir = dir_.path();
    o.min_part_size = 10;
    o.max_part_size = 100;
    o.multipart_max_age = std::chrono::hours(1);
    o.fs = &fs_;
    auto s = object_store::open(o, now, report);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    if (!store_->head_bucket("bkt")) {
      ASSERT_TRUE(store_->create_bucket("bkt", test_now));
    }
  }

  std::string create(std::string_view key, timestamp now = test_now, object_headers h = {}) {
    auto id = store_->create_multipart_upload("bkt", key, h, now);
    EXPECT_TRUE(id);
    return id ? *id : std::string();
  }

  result<object_info> upload_part(std::string_view key, std::string_view id, std::uint32_t n,
                                  std::string_view data) {
    auto w = store_->begin_upload_part("bkt", key, id, n, {});
    if (!w) {
      return w.error();
    }
    if (auto r = w->write(data); !r) {
      return r.error();
    }
    return w->commit({.now = test_now});
  }

  std::string get(std::string_view key) {
    auto r = store_->open_object("bkt", key);
    EXPECT_TRUE(r);
    if (!r) {
      return {};
    }
    std::string out(r->size, '\0');
    EXPECT_TRUE(pread_exact(r->fd.get(), out.data(), out.size(), r->data_offset));
    return out;
  }

  std::size_t upload_dirs() const { return count_entries(dir_.path() / "buckets/bkt/multipart"); }

  temp_dir dir_;
  faulty_fs fs_;
  std::unique_ptr<object_store> store_;
};

TEST_F(multipart_test, create_upload_complete) {
  object_headers h;
  h.content_type = "video/mp4";
  h.user_metadata = {{"a", "b"}};
  const std::string id = create("movie.mp4", test_now, h);
  EXPECT_TRUE(is_valid_upload_id(id));
  auto p1 = upload_part("movie.mp4", id, 1, std::string(10, 'a'));
  auto p2 = upload_part("movie.mp4", id, 2, std::string(10, 'b'));
  auto p3 = upload_part("movie.mp4", id, 3, "ccc");
  ASSERT_TRUE(p1 && p2 && p3);
  EXPECT_EQ(p1->etag, "e09c80c42fda55f9d992e59ca6b3307d");  // md5("a" * 10), from Python hashlib
  const completed_part parts[] = {{1, "\"" + p1->etag + "\""}, {2, p2->etag}, {3, p3->etag}};
  auto done = store_->complete_multipart_upload("bkt", "movie.mp4", id, parts,
                                                {.now = test_now + std::chrono::seconds(5)});
  ASSERT_TRUE(done);
  // hashlib: md5(md5(a*10) + md5(b*10) + md5(ccc)) + "-3"
  EXPECT_EQ(done->etag, "bf83e6ee84f1bfb9f31df2786d7776b4-3");
  EXPECT_EQ(done->size, 23u);
  EXPECT_EQ(get("movie.mp4"), std::string(10, 'a') + std::string(10, 'b') + "ccc");
  auto r = store_->open_object("bkt", "movie.mp4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->meta.headers, h);
  EXPECT_EQ(r->meta.parts_count, 3u);
  EXPECT_EQ(r->meta.last_modified, test_now + std::chrono::seconds(5));
  // The upload is gone, on disk and in memory.
  EXPECT_EQ(upload_dirs(), 0u);
  EXPECT_EQ(count_entries(dir_.path() / "tmp"), 0u);
  EXPECT_EQ(store_->list_parts("bkt", "movie.mp4", id, {}).error(),
            make_error_code(errc::no_such_upload));
  EXPECT_EQ(
      store_->complete_multipart_upload("bkt", "movie.mp4", id, parts, {.now = test_now}).error(),
      make_error_code(errc::no_such_upload));
  // And the index survives a reopen.
  reopen(test_now);
  auto stat = store_->stat_object("bkt", "movie.mp4");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->etag, done->etag);
}

TEST_F(multipart_test, part_numbers_at_limits) {
  const std::string id = create("k");
  EXPECT_EQ(upload_part("k", id, 0, "x").error(), make_error_code(errc::invalid_part_number));
  EXPECT_TRUE(upload_part("k", id, 1, "x"));
  EXPECT_TRUE(upload_part("k", id, 10000, "x"));
  EXPECT_EQ(upload_part("k", id, 10001, "x").error(), make_error_code(errc::invalid_part_number));
}

TEST_F(multipart_test, part_size_at_n_and_n_plus_one) {
  const std::string id = create("k");
  EXPECT_TRUE(upload_part("k", id, 1, std::string(100, 'x')));
  EXPECT_EQ(upload_part("k", id, 2, std::string(101, 'x')).error(),
            make_error_code(errc::entity_too_large));
  EXPECT_EQ(store_->begin_upload_part("bkt", "k", id, 3, {.expected_size = 101}).error(),
            make_error_code(errc::entity_too_large));
  EXPECT_EQ(count_entries(dir_.path() / "tmp"), 0u);
}

TEST_F(multipart_test, unknown_upload_or_other_key) {
  const std::string id = create("k");
  EXPECT_EQ(upload_part("other", id, 1, "x").error(), make_error_code(errc::no_such_upload));
  EXPECT_EQ(upload_part("k", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1, "x").error(),
            make_error_code(errc::no_such_upload));
  EXPECT_EQ(upload_part("k", "../../../../etc", 1, "x").error(),
            make_error_code(errc::no_such_upload));
  EXPECT_EQ(store_->abort_multipart_upload("bkt", "other", id).error(),
            make_error_code(errc::no_such_upload));
}

TEST_F(multipart_test, complete_checks_order_etags_and_sizes) {
  const std::string id = create("k");
  auto p1 = upload_part("k", id, 1, std::string(10, 'a'));
  auto p2 = upload_part("k", id, 2, std::string(9, 'b'));
  auto p3 = upload_part("k", id, 3, "c");
  ASSERT_TRUE(p1 && p2 && p3);
  auto complete = [&](std::vector<completed_part> parts) {
    return store_->complete_multipart_upload("bkt", "k", id, parts, {.now = test_now});
  };
  EXPECT_EQ(complete({}).error(), make_error_code(errc::invalid_part));
  EXPECT_EQ(complete({{2, p2->etag}, {1, p1->etag}}).error(),
            make_error_code(errc::invalid_part_order));
  EXPECT_EQ(complete({{1, p1->etag}, {1, p1->etag}}).error(),
            make_error_code(errc::invalid_part_order));
  EXPECT_EQ(complete({{1, p2->etag}}).error(), make_error_code(errc::invalid_part));
  EXPECT_EQ(complete({{1, p1->etag}, {4, p1->etag}}).error(), make_error_code(errc::invalid_part));
  // Part 2 has 9 bytes: below the minimum unless it is the last.
  EXPECT_EQ(complete({{1, p1->etag}, {2, p2->etag}, {3, p3->etag}}).error(),
            make_error_code(errc::entity_too_small));
  // Parts may be skipped; part 1 has exactly the minimum (10 bytes).
  auto done = complete({{1, p1->etag}, {3, p3->etag}});
  ASSERT_TRUE(done);
  EXPECT_EQ(get("k"), std::string(10, 'a') + "c");
  EXPECT_EQ(count_entries(dir_.path() / "tmp"), 0u);
}

TEST_F(multipart_test, single_small_part_is_fine) {
  const std::string id = create("k");
  auto p1 = upload_part("k", id, 1, "tiny");
  ASSERT_TRUE(p1);
  const completed_part parts[] = {{1, p1->etag}};
  EXPECT_TRUE(store_->complete_multipart_upload("bkt", "k", id, parts, {.now = test_now}));
  EXPECT_EQ(get("k"), "tiny");
}

TEST_F(multipart_test, reupload_replaces_a_part) {
  const std::string id = create("k");
  auto old_part = upload_part("k", id, 1, std::string(10, 'o'));
  auto new_part = upload_part("k", id, 1, std::string(10, 'n'));
  ASSERT_TRUE(old_part && new_part);
  auto page = store_->list_parts("bkt", "k", id, {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->parts.size(), 1u);
  EXPECT_EQ(page->parts[0].etag, new_part->etag);
  const completed_part stale[] = {{1, old_part->etag}};
  EXPECT_EQ(store_->complete_multipart_upload("bkt", "k", id, stale, {.now = test_now}).error(),
            make_error_code(errc::invalid_part));
  const completed_part fresh[] = {{1, new_part->etag}};
  EXPECT_TRUE(store_->complete_multipart_upload("bkt", "k", id, fresh, {.now = test_now}));
  EXPECT_EQ(get("k"), std::string(10, 'n'));
}

TEST_F(multipart_test, list_parts_pages) {
  const std::string id = create("k");
  for (std::uint32_t n : {5u, 1u, 3u, 2u, 4u}) {
    ASSERT_TRUE(upload_part("k", id, n, std::string(n, 'x')));
  }
  auto page = store_->list_parts("bkt", "k", id, {.max_parts = 2});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].part_number, 1u);
  EXPECT_EQ(page->parts[1].part_number, 2u);
  EXPECT_EQ(page->parts[1].size, 2u);
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_part_number_marker, 2u);
  EXPECT_EQ(page->initiated, test_now);
  page = store_->list_parts("bkt", "k", id, {.max_parts = 2, .part_number_marker = 2});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].part_number, 3u);
  EXPECT_TRUE(page->is_truncated);
  page = store_->list_parts("bkt", "k", id, {.max_parts = 2, .part_number_marker = 4});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->parts.size(), 1u);
  EXPECT_FALSE(page->is_truncated);
  // Exactly max_parts left: not truncated.
  page = store_->list_parts("bkt", "k", id, {.max_parts = 5});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->parts.size(), 5u);
  EXPECT_FALSE(page->is_truncated);
}

TEST_F(multipart_test, abort_removes_everything) {
  const std::string id = create("k");
  ASSERT_TRUE(upload_part("k", id, 1, "x"));
  auto w = store_->begin_upload_part("bkt", "k", id, 2, {});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("in flight")));
  EXPECT_EQ(store_->delete_bucket("bkt").error(), make_error_code(errc::bucket_not_empty));
  ASSERT_TRUE(store_->abort_multipart_upload("bkt", "k", id));
  EXPECT_EQ(w->commit({.now = test_now}).error(), make_error_code(errc::no_such_upload));
  EXPECT_EQ(upload_dirs(), 0u);
  EXPECT_EQ(count_entries(dir_.path() / "tmp"), 0u);
  EXPECT_EQ(store_->abort_multipart_upload("bkt", "k", id).error(),
            make_error_code(errc::no_such_upload));
  EXPECT_TRUE(store_->delete_bucket("bkt"));
}

TEST_F(multipart_test, list_uploads_with_markers_and_delimiter) {
  std::map<std::string, std::string> ids;
  for (std::string key : {"a", "b/1", "b/2", "c"}) {
    ids[key] = create(key);
  }
  const std::string second_a = create("a");
  auto page = store_->list_multipart_uploads("bkt", {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->uploads.size(), 5u);
  EXPECT_EQ(page->uploads[0].key, "a");
  EXPECT_EQ(page->uploads[1].key, "a");
  EXPECT_LT(page->uploads[0].upload_id, page->uploads[1].upload_id);
  EXPECT_EQ(page->uploads[4].key, "c");
  EXPECT_EQ(page->uploads[4].initiated, test_now);

  page = store_->list_multipart_uploads("bkt", {.max_uploads = 1});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->uploads.size(), 1u);
  EXPECT_TRUE(page->is_truncated);
  auto next = store_->list_multipart_uploads(
      "bkt",
      {.key_marker = page->next_key_marker, .upload_id_marker = page->next_upload_id_marker});
  ASSERT_TRUE(next);
  ASSERT_EQ(next->uploads.size(), 4u);
  EXPECT_EQ(next->uploads[0].key, "a");
  EXPECT_NE(next->uploads[0].upload_id, page->uploads[0].upload_id);
  // key-marker alone skips every upload of that key.
  next = store_->list_multipart_uploads("bkt", {.key_marker = "a"});
  ASSERT_TRUE(next);
  ASSERT_EQ(next->uploads.size(), 3u);
  EXPECT_EQ(next->uploads[0].key, "b/1");

  page = store_->list_multipart_uploads("bkt", {.delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->uploads.size(), 3u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"b/"});
  page = store_->list_multipart_uploads("bkt", {.prefix = "b/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->uploads.size(), 2u);
  page = store_->list_multipart_uploads("bkt", {.max_uploads = 0});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->uploads.empty());
  EXPECT_FALSE(page->is_truncated);
}

TEST_F(multipart_test, uploads_survive_reopen_and_expire_at_max_age) {
  const std::string old_id = create("old", test_now);
  const std::string new_id = create("new", test_now + std::chrono::minutes(30));
  ASSERT_TRUE(upload_part("old", old_id, 1, "x"));
  // Exactly max_age old: kept. One millisecond more: swept.
  open_report report;
  reopen(test_now + std::chrono::hours(1), &report);
  EXPECT_EQ(report.uploads, 2u);
  EXPECT_EQ(report.uploads_expired, 0u);
  auto page = store_->list_parts("bkt", "old", old_id, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->parts.size(), 1u);
  report = {};
  reopen(test_now + std::chrono::hours(1) + std::chrono::milliseconds(1), &report);
  EXPECT_EQ(report.uploads, 1u);
  EXPECT_EQ(report.uploads_expired, 1u);
  EXPECT_EQ(upload_dirs(), 1u);
  EXPECT_EQ(store_->list_parts("bkt", "old", old_id, {}).error(),
            make_error_code(errc::no_such_upload));
  // The running sweep does the same.
  EXPECT_EQ(store_->sweep_expired_uploads(test_now + std::chrono::minutes(90)), 0u);
  EXPECT_EQ(store_->sweep_expired_uploads(test_now + std::chrono::minutes(90) +
                                          std::chrono::milliseconds(1)),
            1u);
  EXPECT_EQ(upload_dirs(), 0u);
  EXPECT_TRUE(store_->delete_bucket("bkt"));
}

TEST_F(multipart_test, complete_falls_back_when_copy_file_range_cannot) {
  fs_.copy_exdev = true;
  const std::string id = create("k");
  auto p1 = upload_part("k", id, 1, std::string(10, 'a'));
  auto p2 = upload_part("k", id, 2, "b");
  ASSERT_TRUE(p1 && p2);
  const completed_part parts[] = {{1, p1->etag}, {2, p2->etag}};
  ASSERT_TRUE(store_->complete_multipart_upload("bkt", "k", id, parts, {.now = test_now}));
  EXPECT_GT(fs_.copy_calls.load(), 0);
  EXPECT_EQ(get("k"), std::string(10, 'a') + "b");
}

TEST_F(multipart_test, disk_full_during_complete_keeps_the_upload) {
  const std::string id = create("k");
  auto p1 = upload_part("k", id, 1, std::string(10, 'a'));
  auto p2 = upload_part("k", id, 2, "b");
  ASSERT_TRUE(p1 && p2);
  const completed_part parts[] = {{1, p1->etag}, {2, p2->etag}};
  fs_.fdatasync_errno = ENOSPC;
  EXPECT_EQ(store_->complete_multipart_upload("bkt", "k", id, parts, {.now = test_now}).error(),
            make_error_code(errc::insufficient_storage));
  fs_.fdatasync_errno = 0;
  EXPECT_EQ(store_->open_object("bkt", "k").error(), make_error_code(errc::no_such_key));
  EXPECT_EQ(count_entries(dir_.path() / "tmp"), 0u);
  // The client can retry.
  EXPECT_TRUE(store_->complete_multipart_upload("bkt", "k", id, parts, {.now = test_now}));
}

TEST_F(multipart_test, conditional_complete) {
  const std::string id = create("k");
  auto p1 = upload_part("k", id, 1, "x");
  ASSERT_TRUE(p1);
  ASSERT_TRUE(store_->begin_put("bkt", "k", {})->commit({.now = test_now}));
  const completed_part parts[] = {{1, p1->etag}};
  EXPECT_EQ(store_
                ->complete_multipart_upload("bkt", "k", id, parts,
                                            {.now = test_now, .if_none_match = "*"})
                .error(),
            make_error_code(errc::precondition_failed));
}

// ---- pure rules

TEST(multipart_rules, part_list_checks) {
  EXPECT_TRUE(check_part_list(std::vector<completed_part>{{1, ""}, {10000, ""}}, 10000));
  EXPECT_EQ(check_part_list(std::vector<completed_part>{{10001, ""}}, 10000).error(),
            make_error_code(errc::invalid_part_number));
  EXPECT_EQ(check_part_list(std::vector<completed_part>{{0, ""}}, 10000).error(),
            make_error_code(errc::invalid_part_number));
  EXPECT_EQ(check_part_list({}, 10000).error(), make_error_code(errc::invalid_part));
  EXPECT_EQ(check_part_list(std::vector<completed_part>{{3, ""}, {2, ""}}, 10000).error(),
            make_error_code(errc::invalid_part_order));
}

TEST(multipart_rules, etag_of_parts) {
  // Python: hashlib.md5(bytes.fromhex(a) + bytes.fromhex(b) + bytes.fromhex(c)).hexdigest()
  const std::vector<std::string> etags = {"e09c80c42fda55f9d992e59ca6b3307d",
                                          "\"82136b4240d6ce4ea7d03e51469a393b\"",
                                          "9df62e693988eb4e1e1444ece0578579"};
  EXPECT_EQ(multipart_etag(etags), "bf83e6ee84f1bfb9f31df2786d7776b4-3");
  EXPECT_FALSE(multipart_etag(std::vector<std::string>{"xyz"}));
  EXPECT_EQ(unquote_etag("\"abc\""), "abc");
  EXPECT_EQ(unquote_etag("abc"), "abc");
  EXPECT_EQ(unquote_etag("\""), "\"");
}

TEST(multipart_rules, part_file_names) {
  EXPECT_EQ(part_file_name(1), "part-00001");
  EXPECT_EQ(part_file_name(10000), "part-10000");
  EXPECT_EQ(parse_part_file_name("part-00042"), 42u);
  EXPECT_FALSE(parse_part_file_name("part-00000"));
  EXPECT_FALSE(parse_part_file_name("part-0001"));
  EXPECT_FALSE(parse_part_file_name("part-0000a"));
  EXPECT_FALSE(parse_part_file_name("upload"));
}

TEST(multipart_rules, upload_ids) {
  EXPECT_TRUE(is_valid_upload_id(random_token(24)));
  EXPECT_FALSE(is_valid_upload_id(random_token(23)));
  EXPECT_FALSE(is_valid_upload_id(std::string(31, 'a') + "/"));
  EXPECT_FALSE(is_valid_upload_id(std::string(31, 'a') + "."));
}

}  // namespace
}  // namespace onehop::store
