#pragma once
// Helpers for the disk engine's tests: a temp folder per test and a fault-injecting file system.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/fs.hpp"
#include "store/object_meta.hpp"

namespace onehop::store::testing {

// A fresh folder under $TMPDIR, removed at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "onehop-engine-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Counts the entries of a folder (0 when missing).
inline std::size_t count_entries(const std::filesystem::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return n;
}

// Real POSIX calls, with faults armed per test: writes fail with `write_errno` once
// `write_budget` bytes have been written; fdatasync / close / rename fail when armed.
class faulty_fs : public file_system {
 public:
  std::atomic<long long> write_budget{-1};  // < 0: unlimited
  int write_errno = ENOSPC;
  std::atomic<int> fdatasync_errno{0};
  std::atomic<int> close_errno{0};
  std::atomic<int> rename_errno{0};
  std::atomic<int> mkdir_errno{0};
  std::atomic<bool> copy_exdev{false};
  std::atomic<int> copy_calls{0};
  std::atomic<int> writeback_errno{0};
  // Every start_writeback call as {offset, size}.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> writebacks;

  ssize_t write(int fd, const void* data, std::size_t size) override {
    long long budget = write_budget.load();
    if (budget >= 0) {
      if (budget == 0) {
        return -write_errno;
      }
      size = std::min<std::size_t>(size, static_cast<std::size_t>(budget));
      write_budget -= static_cast<long long>(size);
    }
    return file_system::write(fd, data, size);
  }
  ssize_t copy_file_range(int in_fd, off_t* in_offset, int out_fd, std::size_t size) override {
    ++copy_calls;
    if (copy_exdev) {
      return -EXDEV;
    }
    return file_system::copy_file_range(in_fd, in_offset, out_fd, size);
  }
  int start_writeback(int fd, std::uint64_t offset, std::uint64_t size) override {
    {
      std::lock_guard lock(writeback_mutex_);
      writebacks.emplace_back(offset, size);
    }
    if (writeback_errno != 0) {
      return -writeback_errno;
    }
    return file_system::start_writeback(fd, offset, size);
  }
  int fdatasync(int fd) override {
    if (fdatasync_errno != 0) {
      return -fdatasync_errno;
    }
    return file_system::fdatasync(fd);
  }
  int close(int fd) override {
    const int rc = file_system::close(fd);
    if (rc == 0 && close_errno != 0) {
      return -close_errno;
    }
    return rc;
  }
  int rename(const char* from, const char* to) override {
    if (rename_errno != 0) {
      return -rename_errno;
    }
    return file_system::rename(from, to);
  }
  int mkdir(const char* path, mode_t mode) override {
    if (mkdir_errno != 0) {
      return -mkdir_errno;
    }
    return file_system::mkdir(path, mode);
  }

 private:
  std::mutex writeback_mutex_;
};

inline timestamp at_ms(long long ms) {
  return timestamp(std::chrono::milliseconds(ms));
}

// 2026-01-01T00:00:00Z, a fixed "now" for tests.
inline const timestamp test_now = at_ms(1767225600000LL);

}  // namespace onehop::store::testing
