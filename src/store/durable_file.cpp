#include "store/durable_file.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <vector>

namespace onehop::store {

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) {
    out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  }
  return out;
}

result<durable_writer> durable_writer::create(file_system& fs, const std::filesystem::path& tmp_dir,
                                              digest_request want, std::uint64_t max_size) {
  // O_EXCL with a 128-bit random name: no collision with another writer or a leftover.
  std::filesystem::path temp = tmp_dir / ("w-" + random_token(16));
  const int fd = fs.open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) {
    return errc_from_errno(fd);
  }
  return durable_writer(fs, fd, std::move(temp), want, max_size);
}

durable_writer::durable_writer(file_system& fs, int fd, std::filesystem::path temp,
                               digest_request want, std::uint64_t max_size)
    : fs_(&fs), fd_(fd), temp_path_(std::move(temp)), max_size_(max_size), want_(want) {
  if (want_.md5) {
    md5_.emplace();
  }
  if (want_.sha256) {
    sha256_.emplace();
  }
  if (want_.checksum) {
    checksum_.emplace(*want_.checksum);
  }
}

durable_writer::durable_writer(durable_writer&& other) noexcept
    : fs_(other.fs_),
      fd_(std::exchange(other.fd_, -1)),
      temp_path_(std::move(other.temp_path_)),
      synced_(other.synced_),
      published_(std::exchange(other.published_, true)),
      finished_(other.finished_),
      size_(other.size_),
      written_back_(other.written_back_),
      max_size_(other.max_size_),
      want_(other.want_),
      md5_(other.md5_),
      sha256_(std::move(other.sha256_)),
      checksum_(std::move(other.checksum_)),
      digests_(other.digests_) {
  other.temp_path_.clear();
}

durable_writer& durable_writer::operator=(durable_writer&& other) noexcept {
  if (this != &other) {
    discard();
    fs_ = other.fs_;
    fd_ = std::exchange(other.fd_, -1);
    temp_path_ = std::move(other.temp_path_);
    other.temp_path_.clear();
    synced_ = other.synced_;
    published_ = std::exchange(other.published_, true);
    finished_ = other.finished_;
    size_ = other.size_;
    written_back_ = other.written_back_;
    max_size_ = other.max_size_;
    want_ = other.want_;
    md5_ = other.md5_;
    sha256_ = std::move(other.sha256_);
    checksum_ = std::move(other.checksum_);
    digests_ = other.digests_;
  }
  return *this;
}

durable_writer::~durable_writer() {
  discard();
}

void durable_writer::discard() noexcept {
  if (fd_ >= 0) {
    fs_->close(fd_);
    fd_ = -1;
  }
  if (!published_ && !temp_path_.empty()) {
    fs_->unlink(temp_path_.c_str());
  }
  published_ = true;
}

result<void> durable_writer::fail(int negative_errno) {
  discard();
  return errc_from_errno(negative_errno);
}

result<void> durable_writer::write_all(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = fs_->write(fd_, data, size);
    if (n < 0) {
      return fail(static_cast<int>(n));
    }
    if (n == 0) {
      return fail(-EIO);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

result<void> durable_writer::write(std::string_view data) {
  if (fd_ < 0 || finished_) {
    return errc::writer_closed;
  }
  if (data.size() > max_size_ - size_) {
    discard();
    return errc::entity_too_large;
  }
  if (md5_) {
    md5_->update(data);
  }
  if (sha256_) {
    sha256_->update(data);
  }
  if (checksum_) {
    checksum_->update(data);
  }
  auto r = write_all(data.data(), data.size());
  if (!r) {
    return r;
  }
  size_ += data.size();
  if (size_ - written_back_ >= writeback_step) {
    // A hint: a failure here shows up again, and is reported, at fdatasync.
    (void)fs_->start_writeback(fd_, written_back_, size_ - written_back_);
    written_back_ = size_;
  }
  return {};
}

result<void> durable_writer::write(std::span<const std::byte> data) {
  return write(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

result<void> durable_writer::append_from(int in_fd, std::uint64_t offset, std::uint64_t size) {
  if (fd_ < 0 || finished_) {
    return errc::writer_closed;
  }
  if (size > max_size_ - size_) {
    discard();
    return errc::entity_too_large;
  }
  off_t in_off = static_cast<off_t>(offset);
  std::uint64_t left = size;
  bool use_copy = true;
  std::vector<char> buffer;
  while (left > 0) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30));
    if (use_copy) {
      const ssize_t n = fs_->copy_file_range(in_fd, &in_off, fd_, chunk);
      if (n == -EXDEV || n == -ENOSYS || n == -EINVAL || n == -EOPNOTSUPP) {
        use_copy = false;
        continue;
      }
      if (n < 0) {
        return fail(static_cast<int>(n));
      }
      if (n == 0) {
        // The source is shorter than its metadata says: a corrupt part.
        discard();
        return errc::internal;
      }
      left -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (buffer.empty()) {
      buffer.resize(1 << 20);
    }
    const std::size_t want = std::min<std::size_t>(chunk, buffer.size());
    if (!pread_exact(in_fd, buffer.data(), want, static_cast<std::uint64_t>(in_off))) {
      discard();
      return errc::internal;
    }
    auto r = write_all(buffer.data(), want);
    if (!r) {
      return r;
    }
    in_off += static_cast<off_t>(want);
    left -= want;
  }
  size_ += size;
  return {};
}

const digests& durable_writer::finish() {
  if (finished_) {
    return digests_;
  }
  finished_ = true;
  digests_.size = size_;
  if (md5_) {
    digests_.md5 = md5_->finish();
  }
  if (sha256_) {
    digests_.sha256 = sha256_->finish();
  }
  if (checksum_) {
    digests_.checksum = checksum_->value();
  }
  return digests_;
}

result<void> durable_writer::append_trailer(std::string_view bytes) {
  if (fd_ < 0) {
    return errc::writer_closed;
  }
  finish();
  return write_all(bytes.data(), bytes.size());
}

result<void> durable_writer::sync() {
  if (fd_ < 0) {
    return errc::writer_closed;
  }
  finish();
  const int rc = fs_->fdatasync(fd_);
  if (rc < 0) {
    return fail(rc);
  }
  // A failed close can report a deferred write error (NFS, some FUSE file systems).
  const int fd = std::exchange(fd_, -1);
  const int crc = fs_->close(fd);
  if (crc < 0) {
    return fail(crc);
  }
  synced_ = true;
  return {};
}

int durable_writer::try_publish(const std::filesystem::path& target) noexcept {
  if (!synced_ || published_) {
    return -EBADF;
  }
  const int rc = fs_->rename(temp_path_.c_str(), target.c_str());
  if (rc == 0) {
    published_ = true;
  }
  return rc;
}

}  // namespace onehop::store
