#include "store/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace onehop::store {

namespace {

// Runs a POSIX call, retrying EINTR, and folds errno into the negative return convention.
template <class F>
auto retry(F f) -> decltype(f()) {
  for (;;) {
    const auto r = f();
    if (r >= 0) {
      return r;
    }
    if (errno != EINTR) {
      return -errno;
    }
  }
}

}  // namespace

int file_system::open(const char* path, int flags, mode_t mode) {
  return retry([&] { return ::open(path, flags | O_CLOEXEC, mode); });
}

ssize_t file_system::write(int fd, const void* data, std::size_t size) {
  return retry([&] { return ::write(fd, data, size); });
}

ssize_t file_system::copy_file_range(int in_fd, off_t* in_offset, int out_fd, std::size_t size) {
  return retry([&] { return ::copy_file_range(in_fd, in_offset, out_fd, nullptr, size, 0); });
}

int file_system::fdatasync(int fd) {
  return retry([&] { return ::fdatasync(fd); });
}

int file_system::start_writeback(int fd, std::uint64_t offset, std::uint64_t size) {
  return retry([&] {
    return ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(size),
                             SYNC_FILE_RANGE_WRITE);
  });
}

int file_system::fsync(int fd) {
  return retry([&] { return ::fsync(fd); });
}

int file_system::close(int fd) {
  // close() must not be retried on EINTR (Linux releases the descriptor first); EINTR from
  // close still means the data reached the kernel, so it counts as success.
  if (::close(fd) == 0 || errno == EINTR) {
    return 0;
  }
  return -errno;
}

int file_system::rename(const char* from, const char* to) {
  return retry([&] { return ::rename(from, to); });
}

int file_system::unlink(const char* path) {
  return retry([&] { return ::unlink(path); });
}

int file_system::mkdir(const char* path, mode_t mode) {
  return retry([&] { return ::mkdir(path, mode); });
}

int file_system::rmdir(const char* path) {
  return retry([&] { return ::rmdir(path); });
}

file_system& posix_file_system() noexcept {
  static file_system instance;
  return instance;
}

errc errc_from_errno(int negative_errno) noexcept {
  const int e = -negative_errno;
  if (e == ENOSPC || e == EDQUOT) {
    return errc::insufficient_storage;
  }
  return errc::internal;
}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = other.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int unique_fd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

bool pread_exact(int fd, void* out, std::size_t size, std::uint64_t offset) noexcept {
  auto* p = static_cast<char*>(out);
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    if (n == 0) {
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

result<void> sync_directory(file_system& fs, const std::filesystem::path& dir) noexcept {
  const int fd = fs.open(dir.c_str(), O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) {
    return errc_from_errno(fd);
  }
  const int rc = fs.fsync(fd);
  fs.close(fd);
  if (rc < 0) {
    return errc_from_errno(rc);
  }
  return {};
}

bool remove_tree(file_system& fs, const std::filesystem::path& path) noexcept {
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (ec) {
    return ec == std::errc::no_such_file_or_directory;
  }
  if (!std::filesystem::is_directory(status)) {
    return fs.unlink(path.c_str()) == 0;
  }
  bool ok = true;
  std::vector<std::filesystem::path> children;
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    children.push_back(it->path());
  }
  if (ec) {
    return false;
  }
  for (const auto& child : children) {
    ok = remove_tree(fs, child) && ok;
  }
  return fs.rmdir(path.c_str()) == 0 && ok;
}

}  // namespace onehop::store
