#pragma once
// The one durable-write protocol of the store (STYLE.md habit 8):
//
//   create   open a new temp file in the data folder's tmp/ (same file system as the target)
//   write    stream bytes in, hashing them (MD5 for the ETag unless the caller does it; on
//            request SHA-256 for the payload hash and one flexible checksum of
//            sigv4/checksum.hpp) under a size cap;
//            every writeback_step bytes, start writeback of what was written (sync_file_range),
//            so the final fdatasync waits for little more than the tail
//   finish   finalise the digests so the caller can compare them with what the client declared
//   append   add the metadata trailer (not hashed)
//   sync     fdatasync, then a checked close        <- the slow part: run it off the I/O threads
//   publish  rename over the target, then fsync the target's directory
//
// Any failure removes the temp file, so nothing is half-written; ENOSPC / EDQUOT at any step
// is errc::insufficient_storage. A writer that is destroyed before publish removes its temp file.
// A writer is used by one thread at a time (it may move between threads between calls).

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "sigv4/checksum.hpp"
#include "sigv4/crypto.hpp"
#include "store/fs.hpp"
#include "store/md5.hpp"
#include "store/store_errors.hpp"

namespace onehop::store {

// Which digests to compute.
struct digest_request {
  // MD5 of the data, for the ETag. false when the caller hashes the data itself (in lanes with
  // other uploads, store/md5.hpp) and hands the MD5 to commit.
  bool md5 = true;
  // SHA-256 of the data (to check a signed x-amz-content-sha256).
  bool sha256 = false;
  // One x-amz-checksum-* algorithm (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256).
  std::optional<sigv4::checksum_algorithm> checksum;
};

struct digests {
  std::uint64_t size = 0;
  std::optional<md5_digest> md5;  // unless digest_request::md5 was false
  std::optional<sigv4::sha256_digest> sha256;
  std::optional<sigv4::checksum_value> checksum;
};

class durable_writer {
 public:
  // How much written data may be left for the final fdatasync before write() starts its
  // writeback early. Also keeps the page cache from piling up dirty pages of one big upload.
  // Objects up to this size are left to fdatasync alone: on the benchmark machine 1 MiB PUTs at
  // concurrency 16 ran ~18% faster with 2 MiB than with 256 KiB steps (many small writebacks
  // fragment the I/O), and 64 MiB PUTs the same.
  static constexpr std::uint64_t writeback_step = 2 * 1024 * 1024;

  // Opens a fresh temp file (random name) in `tmp_dir`. Writes beyond `max_size` data bytes fail
  // with entity_too_large.
  static result<durable_writer> create(file_system& fs, const std::filesystem::path& tmp_dir,
                                       digest_request want, std::uint64_t max_size);

  durable_writer(durable_writer&& other) noexcept;
  durable_writer& operator=(durable_writer&& other) noexcept;
  durable_writer(const durable_writer&) = delete;
  durable_writer& operator=(const durable_writer&) = delete;
  ~durable_writer();

  // Appends hashed data. Not allowed after finish().
  result<void> write(std::span<const std::byte> data);
  result<void> write(std::string_view data);

  // Appends `size` bytes of `in_fd` starting at `offset`, with copy_file_range where the file
  // system supports it (read + write otherwise). Counted in size() and the cap, but NOT hashed:
  // for concatenating parts whose digests are already known.
  result<void> append_from(int in_fd, std::uint64_t offset, std::uint64_t size);

  // Finalises the digests of everything written so far. Idempotent.
  const digests& finish();

  // Appends bytes after finish() (the metadata trailer): not hashed, not counted in size().
  result<void> append_trailer(std::string_view bytes);

  // fdatasync + checked close. The file stays at its temp path.
  result<void> sync();

  // Renames the synced temp file to `target`, replacing it atomically. Returns 0 or -errno; on
  // failure the temp file is kept so the caller can fix the cause (e.g. create the missing
  // directory on -ENOENT) and retry, or discard(). Does not sync the directory: call
  // sync_directory(target.parent_path()) afterwards, outside any lock.
  int try_publish(const std::filesystem::path& target) noexcept;

  // Removes the temp file now (also done by the destructor if not published).
  void discard() noexcept;

  std::uint64_t size() const noexcept { return size_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_path_; }
  bool finished() const noexcept { return finished_; }

 private:
  durable_writer(file_system& fs, int fd, std::filesystem::path temp, digest_request want,
                 std::uint64_t max_size);
  result<void> write_all(const char* data, std::size_t size);
  result<void> fail(int negative_errno);

  file_system* fs_ = nullptr;
  int fd_ = -1;
  std::filesystem::path temp_path_;
  bool synced_ = false;
  bool published_ = false;
  bool finished_ = false;
  std::uint64_t size_ = 0;
  std::uint64_t written_back_ = 0;  // file bytes whose writeback has been started
  std::uint64_t max_size_ = 0;
  digest_request want_;
  std::optional<md5_hasher> md5_;
  std::optional<sigv4::sha256_hasher> sha256_;
  std::optional<sigv4::checksum_hasher> checksum_;
  digests digests_;
};

// URL-safe random token (base64url without padding) of `bytes` random bytes from RAND_bytes.
std::string random_token(std::size_t bytes);

}  // namespace onehop::store
