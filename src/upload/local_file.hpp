#pragma once
// A file being uploaded, read from disk in bounded chunks: memory does not grow with its size.
// Opened once; every read is a pread at an explicit offset, so parts sent in parallel share the
// descriptor without sharing a file position.

#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace onehop::upload {

// Why a file could not be opened or read, for the user ("No such file or directory").
struct file_error {
  std::string message;
};

template <class T>
using file_result_t = boost::system::result<T, file_error>;

class local_file {
 public:
  // Opens `path` for reading; the error says why (no such file, a directory, permissions).
  static file_result_t<local_file> open(const std::string& path);

  local_file(local_file&& other) noexcept;
  local_file& operator=(local_file&& other) noexcept;
  local_file(const local_file&) = delete;
  local_file& operator=(const local_file&) = delete;
  ~local_file();

  std::uint64_t size() const noexcept { return size_; }

  // Reads up to out.size() bytes at `offset` (short only at end of file); the count, or an error.
  file_result_t<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // The SHA-256 of the whole file as base64 (the form of x-amz-checksum-sha256), read in chunks.
  file_result_t<std::string> sha256_base64() const;

 private:
  local_file(int fd, std::uint64_t size) noexcept : fd_(fd), size_(size) {}
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Read and hash chunk size.
inline constexpr std::size_t file_chunk_bytes = 256 * 1024;

}  // namespace onehop::upload
