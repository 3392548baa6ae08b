#include "upload/local_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace onehop::upload {

file_result_t<local_file> local_file::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return file_error{std::strerror(errno)};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return file_error{std::strerror(e)};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return file_error{"not a regular file"};
  }
  return local_file(fd, static_cast<std::uint64_t>(st.st_size));
}

local_file::local_file(local_file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

local_file& local_file::operator=(local_file&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

local_file::~local_file() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

file_result_t<std::size_t> local_file::read_at(std::uint64_t offset,
                                               std::span<std::uint8_t> out) const {
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n =
        ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return file_error{std::strerror(errno)};
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  return got;
}

file_result_t<std::string> local_file::sha256_base64() const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return file_error{"SHA-256 unavailable"};
  }
  std::vector<std::uint8_t> buf(file_chunk_bytes);
  std::uint64_t offset = 0;
  while (offset < size_) {
    auto n = read_at(offset, buf);
    if (!n) {
      return n.error();
    }
    if (*n == 0) {
      return file_error{"file shrank while being read"};
    }
    EVP_DigestUpdate(ctx.get(), buf.data(), *n);
    offset += *n;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &len);
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  const int out = EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(len));
  // In place: a string would also convert to file_error, and g++ calls that ambiguous.
  return file_result_t<std::string>(
      boost::system::in_place_value,
      std::string(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(out)));
}

}  // namespace onehop::upload
