// The durable-write protocol and the on-disk record format.

#include "store/durable_file.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "engine_test_support.hpp"
#include "sigv4/crypto.hpp"
#include "store/object_meta.hpp"

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

using testing::count_entries;
using testing::faulty_fs;
using testing::temp_dir;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class durable_file_test : public ::testing::Test {
 protected:
  temp_dir dir_;
  faulty_fs fs_;
  std::filesystem::path tmp() const { return dir_.path(); }
};

TEST_F(durable_file_test, writes_hashes_syncs_and_publishes) {
  auto w = durable_writer::create(
      fs_, tmp(), {.sha256 = true, .checksum = sigv4::checksum_algorithm::crc32}, 100);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("a")));
  ASSERT_TRUE(w->write(std::string_view("bc")));
  const digests& d = w->finish();
  EXPECT_EQ(d.size, 3u);
  // Python: hashlib.md5(b"abc"), hashlib.sha256(b"abc"), zlib.crc32(b"abc") == 0x352441c2.
  EXPECT_EQ(sigv4::to_hex(d.md5.value()), "900150983cd24fb0d6963f7d28e17f72");
  ASSERT_TRUE(d.sha256);
  EXPECT_EQ(sigv4::to_hex(*d.sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ASSERT_TRUE(d.checksum);
  EXPECT_EQ(d.checksum->algorithm, sigv4::checksum_algorithm::crc32);
  EXPECT_EQ(sigv4::to_hex(d.checksum->digest()), "352441c2");
  // Data after finish() is refused; the trailer is not hashed.
  EXPECT_EQ(w->write(std::string_view("x")).error(), make_error_code(errc::writer_closed));
  ASSERT_TRUE(w->append_trailer("TRAILER"));
  ASSERT_TRUE(w->sync());
  const auto target = dir_.path() / "target";
  ASSERT_EQ(w->try_publish(target), 0);
  EXPECT_EQ(read_file(target), "abcTRAILER");
  EXPECT_EQ(count_entries(dir_.path()), 1u);  // the temp file became the target
}

TEST_F(durable_file_test, starts_writeback_every_writeback_step_bytes) {
  constexpr std::uint64_t piece = durable_writer::writeback_step * 2 / 5;
  static_assert(2 * piece < durable_writer::writeback_step &&
                3 * piece >= durable_writer::writeback_step);
  auto w = durable_writer::create(fs_, tmp(), {}, 8 * durable_writer::writeback_step);
  ASSERT_TRUE(w);
  std::string all;
  for (int i = 0; i < 7; ++i) {
    const std::string data(piece, static_cast<char>('a' + i));
    ASSERT_TRUE(w->write(std::string_view(data)));
    all += data;
    // Nothing is started before a whole step is pending.
    if (i == 1) {
      EXPECT_TRUE(fs_.writebacks.empty());
    }
  }
  // Pending bytes reach a step at the 3rd and 6th piece; the 7th stays for fdatasync.
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> expected{{0, 3 * piece},
                                                                      {3 * piece, 3 * piece}};
  EXPECT_EQ(fs_.writebacks, expected);
  ASSERT_TRUE(w->append_trailer("T"));
  ASSERT_TRUE(w->sync());
  const auto target = dir_.path() / "target";
  ASSERT_EQ(w->try_publish(target), 0);
  EXPECT_EQ(read_file(target), all + "T");
}

TEST_F(durable_file_test, a_failed_writeback_hint_does_not_fail_the_write) {
  fs_.writeback_errno = EIO;
  auto w = durable_writer::create(fs_, tmp(), {}, 8 * durable_writer::writeback_step);
  ASSERT_TRUE(w);
  const std::string data(durable_writer::writeback_step, 'x');
  ASSERT_TRUE(w->write(std::string_view(data)));
  EXPECT_EQ(fs_.writebacks.size(), 1u);
  // Durability is still decided by fdatasync, which reports real errors.
  ASSERT_TRUE(w->sync());
  const auto target = dir_.path() / "target";
  ASSERT_EQ(w->try_publish(target), 0);
  EXPECT_EQ(read_file(target), data);
}

TEST_F(durable_file_test, digests_not_requested_stay_empty) {
  auto w = durable_writer::create(fs_, tmp(), {}, 10);
  ASSERT_TRUE(w);
  const digests& d = w->finish();
  EXPECT_EQ(sigv4::to_hex(d.md5.value()), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(d.sha256);
  EXPECT_FALSE(d.checksum);
}

TEST_F(durable_file_test, sha1_checksum) {
  auto w = durable_writer::create(fs_, tmp(), {.checksum = sigv4::checksum_algorithm::sha1}, 10);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("abc")));
  const digests& d = w->finish();
  ASSERT_TRUE(d.checksum);
  EXPECT_EQ(sigv4::to_hex(d.checksum->digest()), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_F(durable_file_test, size_limit_at_n_and_n_plus_one) {
  {
    auto w = durable_writer::create(fs_, tmp(), {}, 5);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write(std::string_view("12345")));
    EXPECT_EQ(w->size(), 5u);
  }
  EXPECT_EQ(count_entries(tmp()), 0u);  // destroyed unpublished: removed
  auto w = durable_writer::create(fs_, tmp(), {}, 5);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("1234")));
  EXPECT_EQ(w->write(std::string_view("56")).error(), make_error_code(errc::entity_too_large));
  EXPECT_EQ(count_entries(tmp()), 0u);  // the error already removed the temp file
}

TEST_F(durable_file_test, enospc_on_write_removes_temp_file) {
  fs_.write_budget = 1000;
  auto w = durable_writer::create(fs_, tmp(), {}, 1 << 20);
  ASSERT_TRUE(w);
  const std::string chunk(600, 'x');
  ASSERT_TRUE(w->write(chunk));
  // The second chunk is written partly (400 bytes), then the disk is full.
  EXPECT_EQ(w->write(chunk).error(), make_error_code(errc::insufficient_storage));
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, edquot_is_insufficient_storage_too) {
  fs_.write_budget = 0;
  fs_.write_errno = EDQUOT;
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->write(std::string_view("x")).error(), make_error_code(errc::insufficient_storage));
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, other_write_errors_are_internal) {
  fs_.write_budget = 0;
  fs_.write_errno = EIO;
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->write(std::string_view("x")).error(), make_error_code(errc::internal));
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, fdatasync_failure_removes_temp_file) {
  fs_.fdatasync_errno = ENOSPC;
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("data")));
  EXPECT_EQ(w->sync().error(), make_error_code(errc::insufficient_storage));
  EXPECT_EQ(count_entries(tmp()), 0u);
  EXPECT_EQ(w->try_publish(dir_.path() / "target"), -EBADF);
}

TEST_F(durable_file_test, close_failure_is_checked) {
  fs_.close_errno = EIO;
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("data")));
  EXPECT_EQ(w->sync().error(), make_error_code(errc::internal));
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, failed_rename_keeps_temp_until_discard) {
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(std::string_view("data")));
  ASSERT_TRUE(w->sync());
  EXPECT_EQ(w->try_publish(dir_.path() / "missing" / "target"), -ENOENT);
  EXPECT_EQ(count_entries(tmp()), 1u);
  w->discard();
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, move_transfers_ownership) {
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  durable_writer moved = std::move(*w);
  ASSERT_TRUE(moved.write(std::string_view("abc")));
  EXPECT_EQ(count_entries(tmp()), 1u);
  {
    durable_writer other = std::move(moved);
    EXPECT_EQ(other.size(), 3u);
  }
  EXPECT_EQ(count_entries(tmp()), 0u);
}

TEST_F(durable_file_test, append_from_copies_and_falls_back) {
  const auto source = dir_.path() / "source";
  std::ofstream(source, std::ios::binary) << "0123456789";
  const int in = ::open(source.c_str(), O_RDONLY);
  ASSERT_GE(in, 0);
  for (bool exdev : {false, true}) {
    fs_.copy_exdev = exdev;
    auto w = durable_writer::create(fs_, tmp(), {}, 100);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write(std::string_view("<")));
    ASSERT_TRUE(w->append_from(in, 2, 5));
    ASSERT_TRUE(w->append_from(in, 0, 1));
    EXPECT_EQ(w->size(), 7u);
    ASSERT_TRUE(w->sync());
    const auto target = dir_.path() / (exdev ? "t2" : "t1");
    ASSERT_EQ(w->try_publish(target), 0);
    EXPECT_EQ(read_file(target), "<234560");
  }
  // Asking for more than the source holds is an error, not a short object.
  auto w = durable_writer::create(fs_, tmp(), {}, 100);
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->append_from(in, 8, 5));
  ::close(in);
}

TEST(random_token, is_url_safe_and_unique) {
  const std::string a = random_token(24);
  const std::string b = random_token(24);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  for (char c : a) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  }
}

// ---- object_meta encoding

object_meta sample_meta() {
  object_meta m;
  m.key = "photos/ü ber/\"quoted\"\n..//%2F+";
  m.size = 3;
  m.etag = "900150983cd24fb0d6963f7d28e17f72";
  m.last_modified = testing::test_now;
  m.headers.content_type = "image/png";
  m.headers.content_disposition = "attachment; filename=\"a.png\"";
  m.headers.cache_control = "max-age=60";
  m.headers.content_encoding = "gzip";
  m.headers.content_language = "de";
  m.headers.expires = "Thu, 01 Dec 2026 16:00:00 GMT";
  m.headers.user_metadata = {{"owner", "alice"}, {"empty", ""}};
  m.headers.checksums = {{"sha256", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}};
  m.parts_count = 2;
  return m;
}

TEST(object_meta, round_trips) {
  const object_meta m = sample_meta();
  auto back = decode_meta(encode_meta(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  object_meta minimal;
  minimal.key = "k";
  auto back2 = decode_meta(encode_meta(minimal));
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, minimal);
}

TEST(object_meta, rejects_bad_documents) {
  for (std::string_view bad : {
           "",
           "[]",
           "{",
           "null",
           R"({"v":2,"key":"k","size":0,"etag":"","mtime":0})",
           R"({"v":1,"size":0,"etag":"","mtime":0,"key":5})",
           R"({"v":1,"key":"k","etag":"","mtime":0})",
           R"({"v":1,"key":"k","size":-1,"etag":"","mtime":0})",
           R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"um":[["a"]]})",
           R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"um":{"a":"b"}})",
           R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"ct":1})",
           R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"parts":4294967296})",
           R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"x":[[[[[1]]]]]})",
       }) {
    EXPECT_FALSE(decode_meta(bad)) << bad;
  }
  // Unknown members are ignored.
  EXPECT_TRUE(decode_meta(R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"new":"x"})"));
}

TEST(object_meta, size_cap_at_n_and_n_plus_one) {
  const std::string head = R"({"v":1,"key":"k","size":0,"etag":"","mtime":0,"ct":")";
  const std::string tail = R"("})";
  std::string at_cap = head + std::string(max_meta_bytes - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(at_cap.size(), max_meta_bytes);
  EXPECT_TRUE(decode_meta(at_cap));
  std::string over = head + std::string(max_meta_bytes + 1 - head.size() - tail.size(), 'a') + tail;
  EXPECT_FALSE(decode_meta(over));
}

class record_file_test : public durable_file_test {
 protected:
  // Writes data + meta + footer through the writer, as the store does.
  std::filesystem::path write_record(std::string_view data, const object_meta& m) {
    auto w = durable_writer::create(fs_, tmp(), {}, 1 << 20);
    EXPECT_TRUE(w);
    EXPECT_TRUE(w->write(data));
    const std::string json = encode_meta(m);
    const auto footer = make_footer(json, data.size());
    EXPECT_TRUE(w->append_trailer(json));
    EXPECT_TRUE(w->append_trailer(std::string_view(footer.data(), footer.size())));
    EXPECT_TRUE(w->sync());
    const auto target = dir_.path() / "record";
    EXPECT_EQ(w->try_publish(target), 0);
    return target;
  }
  result<object_meta> read_back(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY);
    auto r = read_meta(fd);
    ::close(fd);
    return r;
  }
  void overwrite(const std::filesystem::path& p, std::string_view content) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
};

TEST_F(record_file_test, reads_back_what_was_written) {
  const auto p = write_record("abc", sample_meta());
  auto m = read_back(p);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, sample_meta());
  EXPECT_EQ(read_file(p).substr(0, 3), "abc");  // data at offset 0
}

TEST_F(record_file_test, corrupt_files_are_errors_not_crashes) {
  const auto p = write_record("abc", sample_meta());
  const std::string good = read_file(p);
  // Truncated anywhere.
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, footer_size - 1, good.size() - 1}) {
    overwrite(p, good.substr(0, n));
    EXPECT_FALSE(read_back(p)) << n;
  }
  // Extra byte (lengths no longer add up).
  overwrite(p, "x" + good);
  EXPECT_FALSE(read_back(p));
  // Bad magic.
  std::string bad = good;
  bad[good.size() - footer_size] = 'X';
  overwrite(p, bad);
  EXPECT_FALSE(read_back(p));
  // Metadata byte flipped: the CRC catches it.
  bad = good;
  bad[5] ^= 0x01;
  overwrite(p, bad);
  EXPECT_FALSE(read_back(p));
  // The metadata's size disagrees with the footer's data size.
  object_meta lying = sample_meta();
  lying.size = 4;
  write_record("abc", lying);
  EXPECT_FALSE(read_back(p));
}

TEST(footer, lengths_must_add_up) {
  const auto f = make_footer("{}", 10);
  const std::string_view sv(f.data(), f.size());
  EXPECT_TRUE(parse_footer(sv, 10 + 2 + footer_size));
  EXPECT_FALSE(parse_footer(sv, 10 + 2 + footer_size + 1));
  EXPECT_FALSE(parse_footer(sv, 1));
  EXPECT_FALSE(parse_footer(sv.substr(1), 36));
}

}  // namespace
}  // namespace onehop::store
