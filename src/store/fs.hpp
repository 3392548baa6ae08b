#pragma once
// The file-system seam of the disk engine: every call that creates, writes, syncs, renames or
// removes goes through `file_system`, so tests can inject faults (ENOSPC after N bytes, EIO on
// fsync, a failing rename) without a real full disk. Reads use the plain POSIX calls.
//
// Convention: each call returns a value >= 0 on success and -errno on failure, never throws,
// and retries EINTR itself.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "store/store_errors.hpp"

namespace onehop::store {

class file_system {
 public:
  virtual ~file_system() = default;

  virtual int open(const char* path, int flags, mode_t mode);
  // Writes at the current position; may write fewer bytes than asked.
  virtual ssize_t write(int fd, const void* data, std::size_t size);
  // Copies up to `size` bytes from `in_fd` at *in_offset to the current position of `out_fd`,
  // advancing *in_offset; returns the byte count (0 at end of input). -EXDEV / -ENOSYS / -EINVAL
  // tell the caller to fall back to read + write.
  virtual ssize_t copy_file_range(int in_fd, off_t* in_offset, int out_fd, std::size_t size);
  virtual int fdatasync(int fd);
  // Starts writeback of the dirty pages in [offset, offset + size) without waiting for it
  // (sync_file_range with SYNC_FILE_RANGE_WRITE), so that a later fdatasync has less to wait
  // for. A hint only: it guarantees nothing about durability, and callers may ignore failures.
  virtual int start_writeback(int fd, std::uint64_t offset, std::uint64_t size);
  virtual int fsync(int fd);
  virtual int close(int fd);
  virtual int rename(const char* from, const char* to);
  virtual int unlink(const char* path);
  virtual int mkdir(const char* path, mode_t mode);
  virtual int rmdir(const char* path);
};

// The process-wide POSIX implementation.
file_system& posix_file_system() noexcept;

// Maps a negative errno from `file_system` to the store's error: ENOSPC and EDQUOT become
// insufficient_storage, everything else internal.
errc errc_from_errno(int negative_errno) noexcept;

// Owns a file descriptor opened for reading; closes it (unchecked: nothing was written) on
// destruction.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd();

  int get() const noexcept { return fd_; }
  int release() noexcept;
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Reads exactly `size` bytes at `offset`; false on a short read or error.
bool pread_exact(int fd, void* out, std::size_t size, std::uint64_t offset) noexcept;

// fsync of a directory, through the seam.
result<void> sync_directory(file_system& fs, const std::filesystem::path& dir) noexcept;

// Removes a file or a directory tree through the seam (best effort; returns false if anything
// was left behind).
bool remove_tree(file_system& fs, const std::filesystem::path& path) noexcept;

}  // namespace onehop::store
