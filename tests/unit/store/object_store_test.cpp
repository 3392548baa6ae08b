// The disk engine: buckets, objects, configs, reopen, faults, crashes.

#include "store/object_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "engine_test_support.hpp"
#include "sigv4/crypto.hpp"

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

using testing::count_entries;
using testing::faulty_fs;
using testing::temp_dir;
using testing::test_now;

std::string read_all(const object_reader& r) {
  std::string out(r.size, '\0');
  EXPECT_TRUE(pread_exact(r.fd.get(), out.data(), out.size(), r.data_offset));
  return out;
}

std::string md5_hex(std::string_view data) {
  auto w = durable_writer::create(posix_file_system(), std::filesystem::temp_directory_path(), {},
                                  data.size());
  EXPECT_TRUE(w);
  EXPECT_TRUE(w->write(data));
  return sigv4::to_hex(w->finish().md5.value());
}

class object_store_test : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen(open_report* report = nullptr) {
    store_.reset();
    store_options o;
    o.data_dir = dir_.path();
    o.max_object_size = 1000;
    o.fs = &fs_;
    auto s = object_store::open(o, test_now, report);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
  }

  result<object_info> put(std::string_view bucket, std::string_view key, std::string_view data,
                          commit_options c = {.now = test_now}, object_headers h = {}) {
    auto w = store_->begin_put(bucket, key, {.headers = std::move(h)});
    if (!w) {
      return w.error();
    }
    if (auto r = w->write(data); !r) {
      return r.error();
    }
    return w->commit(c);
  }

  std::string get(std::string_view bucket, std::string_view key) {
    auto r = store_->open_object(bucket, key);
    EXPECT_TRUE(r) << key;
    return r ? read_all(*r) : std::string();
  }

  std::vector<std::string> all_keys(std::string_view bucket) {
    auto page = store_->list_objects(bucket, {});
    EXPECT_TRUE(page);
    std::vector<std::string> out;
    for (const auto& e : page->contents) {
      out.push_back(e.key);
    }
    return out;
  }

  std::size_t temp_files() const { return count_entries(dir_.path() / "tmp"); }

  temp_dir dir_;
  faulty_fs fs_;
  std::unique_ptr<object_store> store_;
};

TEST_F(object_store_test, bucket_lifecycle) {
  EXPECT_TRUE(store_->list_buckets().empty());
  ASSERT_TRUE(store_->create_bucket("photos", test_now));
  ASSERT_TRUE(store_->create_bucket("archive", test_now + std::chrono::seconds(1)));
  EXPECT_EQ(store_->create_bucket("photos", test_now).error(),
            make_error_code(errc::bucket_already_owned_by_you));
  for (std::string_view bad : {"", "ab", "Photos", "a/b", "..", "-abc", "192.168.1.1"}) {
    EXPECT_EQ(store_->create_bucket(bad, test_now).error(),
              make_error_code(errc::invalid_bucket_name))
        << bad;
  }
  auto buckets = store_->list_buckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].name, "archive");
  EXPECT_EQ(buckets[0].created, test_now + std::chrono::seconds(1));
  EXPECT_EQ(buckets[1].name, "photos");
  auto head = store_->head_bucket("photos");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->created, test_now);
  EXPECT_EQ(store_->head_bucket("nope").error(), make_error_code(errc::no_such_bucket));

  ASSERT_TRUE(put("photos", "a", "x"));
  EXPECT_EQ(store_->delete_bucket("photos").error(), make_error_code(errc::bucket_not_empty));
  ASSERT_TRUE(store_->delete_object("photos", "a"));
  ASSERT_TRUE(store_->delete_bucket("photos"));
  EXPECT_EQ(store_->delete_bucket("photos").error(), make_error_code(errc::no_such_bucket));
  EXPECT_EQ(put("photos", "a", "x").error(), make_error_code(errc::no_such_bucket));
  EXPECT_EQ(temp_files(), 0u);

  reopen();
  buckets = store_->list_buckets();
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].name, "archive");
  EXPECT_EQ(buckets[0].created, test_now + std::chrono::seconds(1));
}

TEST(object_store_open, creates_a_nested_data_folder) {
  temp_dir dir;
  const auto data = dir.path() / "a" / "b";
  auto s = object_store::open({.data_dir = data}, test_now);
  ASSERT_TRUE(s);
  EXPECT_TRUE(std::filesystem::is_directory(data / "tmp"));
  EXPECT_TRUE(std::filesystem::is_directory(data / "buckets"));
  // A data folder that is a file is refused.
  std::ofstream(dir.path() / "file") << "x";
  EXPECT_FALSE(object_store::open({.data_dir = dir.path() / "file"}, test_now));
}

TEST_F(object_store_test, put_get_head_delete_with_metadata) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  object_headers h;
  h.content_type = "image/png";
  h.content_disposition = "inline";
  h.cache_control = "no-cache";
  h.content_encoding = "identity";
  h.content_language = "en";
  h.expires = "Wed, 21 Oct 2015 07:28:00 GMT";
  h.user_metadata = {{"owner", "alice"}};
  auto info =
      put("bkt", "img/1.png", "abc", {.now = test_now, .checksums = {{"crc32", "NSRBwg=="}}}, h);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->etag, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(info->size, 3u);
  EXPECT_EQ(info->last_modified, test_now);

  auto reader = store_->open_object("bkt", "img/1.png");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->data_offset, 0u);
  EXPECT_EQ(reader->size, 3u);
  EXPECT_EQ(read_all(*reader), "abc");
  EXPECT_EQ(reader->meta.key, "img/1.png");
  EXPECT_EQ(reader->meta.etag, info->etag);
  h.checksums = {{"crc32", "NSRBwg=="}};
  EXPECT_EQ(reader->meta.headers, h);

  auto stat = store_->stat_object("bkt", "img/1.png");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->etag, info->etag);
  EXPECT_EQ(store_->stat_object("bkt", "other").error(), make_error_code(errc::no_such_key));
  EXPECT_EQ(store_->open_object("bkt", "other").error(), make_error_code(errc::no_such_key));
  EXPECT_EQ(store_->open_object("nob", "x").error(), make_error_code(errc::no_such_bucket));

  // An open reader keeps its snapshot across overwrite and delete.
  ASSERT_TRUE(put("bkt", "img/1.png", "new content"));
  EXPECT_EQ(get("bkt", "img/1.png"), "new content");
  EXPECT_EQ(read_all(*reader), "abc");
  auto deleted = store_->delete_object("bkt", "img/1.png");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(read_all(*reader), "abc");
  EXPECT_EQ(store_->open_object("bkt", "img/1.png").error(), make_error_code(errc::no_such_key));
  // Deleting a missing key succeeds, as S3.
  deleted = store_->delete_object("bkt", "img/1.png");
  ASSERT_TRUE(deleted);
  EXPECT_FALSE(*deleted);
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(object_store_test, empty_object) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  auto info = put("bkt", "empty", "");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(get("bkt", "empty"), "");
}

TEST_F(object_store_test, tricky_keys_never_become_paths) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  const std::vector<std::string> keys = {"..",
                                         "../../etc/passwd",
                                         "//",
                                         "/leading",
                                         "trailing/",
                                         "a//b",
                                         "%2F%00",
                                         "+plus+",
                                         "sp ace",
                                         "\xC3\xA9t\xC3\xA9",
                                         "\xF0\x9F\x98\x80",
                                         "tmp",
                                         "\x01\x7f",
                                         std::string(1024, 'k')};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(put("bkt", keys[i], "value " + std::to_string(i))) << keys[i];
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& k = keys[i];
    EXPECT_EQ(get("bkt", k), "value " + std::to_string(i));
    const auto path = store_->object_path("bkt", k);
    EXPECT_EQ(path.filename().string().size(), 64u);
    EXPECT_EQ(path.parent_path().parent_path(), dir_.path() / "buckets" / "bkt" / "objects");
  }
  auto sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(all_keys("bkt"), sorted);
  // Nothing outside the data folder was created by "../../etc/passwd".
  EXPECT_EQ(count_entries(dir_.path()), 2u);  // tmp, buckets
}

TEST_F(object_store_test, key_length_at_n_and_n_plus_one) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  EXPECT_TRUE(put("bkt", std::string(1024, 'a'), "x"));
  EXPECT_EQ(put("bkt", std::string(1025, 'a'), "x").error(), make_error_code(errc::key_too_long));
  EXPECT_EQ(put("bkt", "", "x").error(), make_error_code(errc::invalid_key));
  EXPECT_EQ(put("bkt", "\xC3", "x").error(), make_error_code(errc::invalid_key));
  EXPECT_EQ(store_->open_object("bkt", std::string(1025, 'a')).error(),
            make_error_code(errc::key_too_long));
}

TEST_F(object_store_test, user_metadata_at_n_and_n_plus_one) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  object_headers h;
  h.user_metadata = {{"name", std::string(max_user_metadata_bytes - 4, 'v')}};
  EXPECT_TRUE(store_->begin_put("bkt", "k", {.headers = h}));
  h.user_metadata[0].second.push_back('v');
  EXPECT_EQ(store_->begin_put("bkt", "k", {.headers = h}).error(),
            make_error_code(errc::metadata_too_large));
}

TEST_F(object_store_test, object_size_at_n_and_n_plus_one) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  // Declared size: refused before anything is written.
  EXPECT_TRUE(store_->begin_put("bkt", "k", {.expected_size = 1000}));
  EXPECT_EQ(store_->begin_put("bkt", "k", {.expected_size = 1001}).error(),
            make_error_code(errc::entity_too_large));
  // Streamed size.
  EXPECT_TRUE(put("bkt", "k", std::string(1000, 'x')));
  EXPECT_EQ(put("bkt", "k2", std::string(1001, 'x')).error(),
            make_error_code(errc::entity_too_large));
  EXPECT_EQ(all_keys("bkt"), std::vector<std::string>{"k"});
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(object_store_test, content_md5_mismatch_is_bad_digest) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  md5_digest wrong{};
  EXPECT_EQ(put("bkt", "k", "abc", {.now = test_now, .content_md5 = wrong}).error(),
            make_error_code(errc::bad_digest));
  md5_digest right{};
  ASSERT_TRUE(sigv4::hex_decode("900150983cd24fb0d6963f7d28e17f72", right));
  EXPECT_TRUE(put("bkt", "k", "abc", {.now = test_now, .content_md5 = right}));
  EXPECT_EQ(all_keys("bkt"), std::vector<std::string>{"k"});
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(object_store_test, conditional_writes) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  EXPECT_EQ(put("bkt", "k", "1", {.now = test_now, .if_match = "\"abc\""}).error(),
            make_error_code(errc::no_such_key));
  auto first = put("bkt", "k", "1", {.now = test_now, .if_none_match = "*"});
  ASSERT_TRUE(first);
  EXPECT_EQ(put("bkt", "k", "2", {.now = test_now, .if_none_match = "*"}).error(),
            make_error_code(errc::precondition_failed));
  EXPECT_EQ(put("bkt", "k", "2", {.now = test_now, .if_match = "\"0000\""}).error(),
            make_error_code(errc::precondition_failed));
  EXPECT_TRUE(put("bkt", "k", "2", {.now = test_now, .if_match = "\"" + first->etag + "\""}));
  EXPECT_EQ(get("bkt", "k"), "2");
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(object_store_test, writer_abort_and_drop_leave_nothing) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  {
    auto w = store_->begin_put("bkt", "k", {});
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write(std::string_view("partial")));
    EXPECT_EQ(temp_files(), 1u);
  }
  auto w = store_->begin_put("bkt", "k", {});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("partial")));
  w->abort();
  EXPECT_FALSE(w->commit({.now = test_now}));
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_TRUE(all_keys("bkt").empty());
}

TEST_F(object_store_test, writer_digests_for_the_caller) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  auto w = store_->begin_put("bkt", "k", {.digests = {.sha256 = true}});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("abc")));
  const digests& d = w->finish();
  ASSERT_TRUE(d.sha256);
  EXPECT_EQ(sigv4::to_hex(*d.sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(w->commit({.now = test_now}));
}

TEST_F(object_store_test, delete_bucket_races_a_commit) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  auto w = store_->begin_put("bkt", "k", {});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("data")));
  ASSERT_TRUE(store_->delete_bucket("bkt"));
  EXPECT_EQ(w->commit({.now = test_now}).error(), make_error_code(errc::no_such_bucket));
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(object_store_test, bucket_configs) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  EXPECT_EQ(store_->get_bucket_config("bkt", bucket_config::cors).error(),
            make_error_code(errc::no_such_cors_configuration));
  EXPECT_EQ(store_->get_bucket_config("bkt", bucket_config::policy).error(),
            make_error_code(errc::no_such_bucket_policy));
  ASSERT_TRUE(store_->put_bucket_config("bkt", bucket_config::cors, "<CORSConfiguration/>"));
  ASSERT_TRUE(store_->put_bucket_config("bkt", bucket_config::policy, "{\"Version\":1}"));
  ASSERT_TRUE(store_->put_bucket_config("bkt", bucket_config::policy, "{\"Version\":2}"));
  reopen();
  EXPECT_EQ(store_->get_bucket_config("bkt", bucket_config::cors).value(), "<CORSConfiguration/>");
  EXPECT_EQ(store_->get_bucket_config("bkt", bucket_config::policy).value(), "{\"Version\":2}");
  ASSERT_TRUE(store_->delete_bucket_config("bkt", bucket_config::cors));
  ASSERT_TRUE(store_->delete_bucket_config("bkt", bucket_config::cors));  // idempotent
  EXPECT_FALSE(store_->get_bucket_config("bkt", bucket_config::cors));
  EXPECT_TRUE(store_->put_bucket_config("bkt", bucket_config::cors,
                                        std::string(max_bucket_config_bytes, 'x')));
  EXPECT_EQ(store_
                ->put_bucket_config("bkt", bucket_config::cors,
                                    std::string(max_bucket_config_bytes + 1, 'x'))
                .error(),
            make_error_code(errc::entity_too_large));
  EXPECT_EQ(store_->put_bucket_config("nob", bucket_config::cors, "x").error(),
            make_error_code(errc::no_such_bucket));
  // Configs do not make a bucket non-empty.
  EXPECT_TRUE(store_->delete_bucket("bkt"));
}

TEST_F(object_store_test, reopen_rebuilds_the_index_and_skips_bad_files) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(put("bkt", "key" + std::to_string(i), std::string(static_cast<std::size_t>(i), 'x'),
                    {.now = test_now + std::chrono::milliseconds(i)}));
  }
  auto before = store_->list_objects("bkt", {});
  ASSERT_TRUE(before);
  // A leftover temp file, a corrupt object, a misplaced (renamed) object, a stray bucket folder.
  std::ofstream(dir_.path() / "tmp" / "w-leftover") << "junk";
  std::filesystem::create_directories(dir_.path() / "tmp" / "b-staging" / "objects");
  const auto corrupt = store_->object_path("bkt", "key3");
  std::filesystem::resize_file(corrupt, 2);
  const auto victim = store_->object_path("bkt", "key4");
  std::filesystem::rename(victim, victim.parent_path() / std::string(64, 'a'));
  std::filesystem::create_directories(dir_.path() / "buckets" / "NotABucket");
  std::filesystem::create_directories(dir_.path() / "buckets" / "norecord");

  store_.reset();
  open_report report;
  reopen(&report);
  EXPECT_EQ(report.temp_entries_removed, 2u);
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_EQ(report.buckets, 1u);
  EXPECT_EQ(report.objects, 18u);
  EXPECT_EQ(report.problems.size(), 4u);
  auto after = store_->list_objects("bkt", {});
  ASSERT_TRUE(after);
  std::vector<list_entry> expected;
  for (const auto& e : before->contents) {
    if (e.key != "key3" && e.key != "key4") {
      expected.push_back(e);
    }
  }
  ASSERT_EQ(after->contents.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(after->contents[i].key, expected[i].key);
    EXPECT_EQ(after->contents[i].summary, expected[i].summary);
  }
  // A corrupt file is an error to the reader, not a crash and not someone else's bytes.
  EXPECT_FALSE(store_->open_object("bkt", "key3"));
}

TEST_F(object_store_test, disk_full_via_seam_keeps_the_old_version) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  ASSERT_TRUE(put("bkt", "k", "old"));
  fs_.write_budget = 100;
  EXPECT_EQ(put("bkt", "k", std::string(500, 'n')).error(),
            make_error_code(errc::insufficient_storage));
  fs_.write_budget = -1;
  EXPECT_EQ(get("bkt", "k"), "old");
  EXPECT_EQ(temp_files(), 0u);
  // Full while writing the metadata trailer.
  fs_.write_budget = 10;
  EXPECT_EQ(put("bkt", "k", "0123456789").error(), make_error_code(errc::insufficient_storage));
  fs_.write_budget = -1;
  // Full at fdatasync (delayed allocation).
  fs_.fdatasync_errno = ENOSPC;
  EXPECT_EQ(put("bkt", "k", "new").error(), make_error_code(errc::insufficient_storage));
  EXPECT_EQ(store_->create_bucket("ccc", test_now).error(),
            make_error_code(errc::insufficient_storage));
  fs_.fdatasync_errno = 0;
  EXPECT_EQ(get("bkt", "k"), "old");
  EXPECT_EQ(all_keys("bkt"), std::vector<std::string>{"k"});
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_FALSE(store_->head_bucket("ccc"));
  // A failing rename too.
  fs_.rename_errno = EIO;
  EXPECT_EQ(put("bkt", "k", "new").error(), make_error_code(errc::internal));
  fs_.rename_errno = 0;
  EXPECT_EQ(get("bkt", "k"), "old");
  EXPECT_EQ(temp_files(), 0u);
}

// A real full disk: a 2 MiB tmpfs (needs root; skipped otherwise).
TEST(object_store_tmpfs, real_enospc) {
  temp_dir dir;
  if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  struct unmount {
    const std::filesystem::path& p;
    ~unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } guard{dir.path()};
  {
    auto s = object_store::open({.data_dir = dir.path()}, test_now);
    ASSERT_TRUE(s);
    object_store& store = **s;
    ASSERT_TRUE(store.create_bucket("bkt", test_now));
    const std::string one_mib(1 << 20, 'a');
    auto put = [&](std::string_view key, std::string_view data) -> result<object_info> {
      auto w = store.begin_put("bkt", key, {});
      if (!w) {
        return w.error();
      }
      // Stream in 64 KiB pieces, as the HTTP layer does.
      for (std::size_t off = 0; off < data.size(); off += 65536) {
        if (auto r = w->write(data.substr(off, 65536)); !r) {
          return r.error();
        }
      }
      return w->commit({.now = test_now});
    };
    ASSERT_TRUE(put("first", one_mib));
    const std::string three_mib(3 << 20, 'b');
    EXPECT_EQ(put("big", three_mib).error(), make_error_code(errc::insufficient_storage));
    EXPECT_EQ(put("first", three_mib).error(), make_error_code(errc::insufficient_storage));
    EXPECT_EQ(count_entries(dir.path() / "tmp"), 0u);
    {
      auto r = store.open_object("bkt", "first");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->size, one_mib.size());
      EXPECT_EQ(r->meta.etag, md5_hex(one_mib));
    }  // closed, so deleting frees the space
    auto page = store.list_objects("bkt", {});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->contents.size(), 1u);
    // After freeing space, writes work again.
    ASSERT_TRUE(store.delete_object("bkt", "first"));
    EXPECT_TRUE(put("big", std::string(1 << 20, 'c')));
  }
  open_report report;
  auto s = object_store::open({.data_dir = dir.path()}, test_now, &report);
  ASSERT_TRUE(s);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.objects, 1u);
}

TEST_F(object_store_test, concurrent_writers_and_listers) {
  ASSERT_TRUE(store_->create_bucket("bkt", test_now));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 25);
        const std::string data = key + "/" + std::to_string(t) + "/" + std::to_string(i);
        auto w = store_->begin_put("bkt", key, {});
        if (!w || !w->write(data) || !w->commit({.now = test_now})) {
          ++failures;
        }
        if (i % 5 == 0 && !store_->delete_object("bkt", key)) {
          ++failures;
        }
        if (!store_->list_objects("bkt", {.max_keys = 10})) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  const auto keys = all_keys("bkt");
  // Every listed key is readable, its bytes match its ETag, and its content names its key.
  for (const auto& k : keys) {
    auto r = store_->open_object("bkt", k);
    ASSERT_TRUE(r);
    const std::string data = read_all(*r);
    EXPECT_EQ(md5_hex(data), r->meta.etag);
    EXPECT_EQ(data.substr(0, data.find('/')), k);
  }
  auto before = store_->list_objects("bkt", {});
  reopen();
  auto after = store_->list_objects("bkt", {});
  ASSERT_TRUE(before && after);
  ASSERT_EQ(before->contents.size(), after->contents.size());
  for (std::size_t i = 0; i < before->contents.size(); ++i) {
    EXPECT_EQ(before->contents[i].key, after->contents[i].key);
    EXPECT_EQ(before->contents[i].summary, after->contents[i].summary);
  }
}

// ---- crash safety: a child writes and deletes objects and is SIGKILLed at a random moment;
// the reopened store must hold only complete objects, and its index must equal the files.

// Deterministic content for (key, version), self-describing so the checker can regenerate it.
std::string crash_content(int key, std::uint32_t version) {
  std::mt19937 rng(static_cast<std::uint32_t>(key) * 7919u + version);
  const std::size_t size = rng() % (96 * 1024);
  std::string out = std::to_string(key) + ":" + std::to_string(version) + ":";
  const std::size_t head = out.size();
  out.resize(head + size);
  for (std::size_t i = head; i < out.size(); i += 4) {
    const std::uint32_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<std::size_t>(4, out.size() - i));
  }
  return out;
}

[[noreturn]] void crash_child(const std::filesystem::path& data_dir, int progress_fd,
                              std::uint32_t round) {
  auto s = object_store::open({.data_dir = data_dir}, test_now);
  if (!s) {
    _exit(2);
  }
  object_store& store = **s;
  store.create_bucket("crash", test_now);  // exists after the first round
  std::mt19937 rng(round);
  for (std::uint32_t i = 0;; ++i) {
    const int key = static_cast<int>(rng() % 30);
    const std::string name = "obj/" + std::to_string(key);
    if (rng() % 8 == 0) {
      store.delete_object("crash", name);
    } else {
      auto w = store.begin_put("crash", name, {});
      if (!w) {
        _exit(3);
      }
      const std::string data = crash_content(key, round * 1000000u + i);
      for (std::size_t off = 0; off < data.size(); off += 16384) {
        if (!w->write(std::string_view(data).substr(off, 16384))) {
          _exit(4);
        }
      }
      if (!w->commit({.now = test_now})) {
        _exit(5);
      }
    }
    const char tick = 'x';
    if (::write(progress_fd, &tick, 1) != 1) {
      _exit(6);
    }
  }
}

TEST(object_store_crash, sigkill_at_random_moments_leaves_complete_objects) {
  temp_dir dir;
  std::mt19937 rng(20261128);
  for (std::uint32_t round = 1; round <= 5; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      crash_child(dir.path(), fds[1], round);
    }
    ::close(fds[1]);
    // Let the child finish a random number of operations, then kill it mid-flight.
    const int wanted = 2 + static_cast<int>(rng() % 24);
    int seen = 0;
    char buf[64];
    while (seen < wanted) {
      const ssize_t n = ::read(fds[0], buf, std::min<std::size_t>(sizeof buf, wanted - seen));
      ASSERT_GT(n, 0) << "child stopped early";
      seen += static_cast<int>(n);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);

    open_report report;
    auto s = object_store::open({.data_dir = dir.path()}, test_now, &report);
    ASSERT_TRUE(s);
    object_store& store = **s;
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    EXPECT_EQ(count_entries(dir.path() / "tmp"), 0u);
    auto page = store.list_objects("crash", {});
    ASSERT_TRUE(page);
    // The index equals the files.
    std::size_t files = 0;
    for (const auto& fan :
         std::filesystem::directory_iterator(dir.path() / "buckets" / "crash" / "objects")) {
      files += count_entries(fan.path());
    }
    EXPECT_EQ(files, page->contents.size());
    EXPECT_GT(files, 0u);
    for (const auto& e : page->contents) {
      auto r = store.open_object("crash", e.key);
      ASSERT_TRUE(r) << e.key;
      const std::string data = read_all(*r);
      EXPECT_EQ(md5_hex(data), e.summary.etag) << e.key;
      // Complete: the content is exactly what its writer generated.
      const auto first = data.find(':');
      const auto second = data.find(':', first + 1);
      ASSERT_NE(second, std::string::npos);
      const int key = std::stoi(data.substr(0, first));
      const auto version = static_cast<std::uint32_t>(std::stoul(data.substr(first + 1)));
      EXPECT_EQ(e.key, "obj/" + std::to_string(key));
      EXPECT_EQ(data, crash_content(key, version));
    }
  }
}

}  // namespace
}  // namespace onehop::store
