#pragma once
// Internals shared by object_store.cpp and multipart.cpp; not part of the engine's interface.

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "store/durable_file.hpp"
#include "store/fs.hpp"
#include "store/listing.hpp"
#include "store/multipart.hpp"
#include "store/object_meta.hpp"
#include "store/object_store.hpp"

namespace onehop::store {

struct bucket_state {
  std::string name;
  timestamp created{};
  // Guards everything below. Held for lookups, index updates and publishing renames only.
  mutable std::mutex mutex;
  // Set (under mutex) once delete_bucket has decided to remove the bucket: commits then fail
  // with no_such_bucket instead of writing into a folder that is going away.
  bool deleted = false;
  object_index objects;
  upload_index uploads;
};

namespace engine_detail {

inline constexpr std::string_view bucket_record = "bucket";
inline constexpr std::string_view upload_record = "upload";
inline constexpr std::string_view objects_dir = "objects";
inline constexpr std::string_view multipart_dir = "multipart";
inline constexpr std::string_view config_dir = "config";

// sha256(key) in hex: the object's file name; its first two digits name the fan-out folder.
std::string key_file_name(std::string_view key);

// Writes a whole small file (record or blob) durably at `target`: temp file in `tmp_dir`, data,
// metadata trailer, fdatasync, close, rename. Does not fsync target's directory.
result<void> write_small_file(file_system& fs, const std::filesystem::path& tmp_dir,
                              const std::filesystem::path& target, std::string_view data,
                              const object_meta& meta);

// Reads a whole small file written by write_small_file (data capped at max_bytes).
struct small_file {
  object_meta meta;
  std::string data;
};
result<small_file> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

// Key rules (1..1024 bytes of valid UTF-8), as store errc.
result<void> check_key(std::string_view key) noexcept;

std::string to_hex_string(const md5_digest& d);

// The MD5 of a finished writer's data: its own, or the one the caller computed
// (commit_options::md5).
md5_digest data_md5(const digests& d, const commit_options& options);

}  // namespace engine_detail

}  // namespace onehop::store
