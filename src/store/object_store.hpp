#pragma once
// The store's durable on-disk engine: buckets, objects, multipart uploads and bucket config
// blobs under one data folder. No HTTP here; the S3 front end calls this.
//
// Layout (keys never become paths; bucket names are validated S3 names, safe as one component):
//
//   <data>/tmp/                                   temp files and staging dirs; emptied at open()
//   <data>/buckets/<bucket>/bucket                bucket record (creation date)
//   <data>/buckets/<bucket>/objects/<hh>/<sha256hex(key)>   one object: data, then metadata
//   <data>/buckets/<bucket>/multipart/<upload-id>/upload     the upload's key, headers, start
//   <data>/buckets/<bucket>/multipart/<upload-id>/part-NNNNN one durable part
//   <data>/buckets/<bucket>/config/{cors,policy}  opaque config blobs
//
// Every file has the layout of object_meta.hpp (data at offset 0, metadata and a footer after
// it) and is written by durable_writer (temp file, fdatasync, checked close, rename, directory
// fsync), so after a crash at any moment each object is its old or its new version. Buckets and
// uploads are created as a staging directory in tmp/ and renamed into place, and removed by
// renaming them into tmp/ first, so they too appear and vanish atomically.
//
// In memory: for each bucket an ordered index key -> {size, etag, last-modified} (for listings)
// and the open multipart uploads, rebuilt at open() by reading every file's metadata. A file
// whose metadata is corrupt or does not belong where it lies is skipped and reported.
//
// Threads: every member function may be called from any thread. Each bucket has a mutex held
// only for index lookups/updates and the rename that publishes a file (a metadata operation),
// never across writes of data or fsync. Blocking calls: begin_put/write are plain file writes;
// object_writer::commit does fdatasync and should run off the I/O threads. Nothing is written
// to disk before begin_put, which the caller invokes only after authenticating the request.
//
// Time is a parameter everywhere (`now`); the engine never reads the clock.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/durable_file.hpp"
#include "store/fs.hpp"
#include "store/listing.hpp"
#include "store/multipart.hpp"
#include "store/object_meta.hpp"
#include "store/store_errors.hpp"

namespace onehop::store {

inline constexpr std::uint64_t default_max_object_size = 5ull << 30;  // 5 GiB per PUT
inline constexpr std::uint64_t default_min_part_size = 5ull << 20;    // 5 MiB
inline constexpr std::uint32_t default_max_parts = 10000;
// Cap on a bucket config blob (S3: CORS 64 KiB, policy 20 KiB).
inline constexpr std::size_t max_bucket_config_bytes = 64 * 1024;

struct store_options {
  std::filesystem::path data_dir;
  // Largest object a single PUT may write (EntityTooLarge above).
  std::uint64_t max_object_size = default_max_object_size;
  // Largest single part, and largest completed multipart object.
  std::uint64_t max_part_size = default_max_object_size;
  std::uint64_t max_multipart_object_size = 5ull << 40;  // 5 TiB
  // Every part but the last must be at least this big (EntityTooSmall); tests lower it.
  std::uint64_t min_part_size = default_min_part_size;
  // Part numbers run 1..max_parts.
  std::uint32_t max_parts = default_max_parts;
  // Uploads initiated longer ago than this are removed by open() and sweep_expired_uploads().
  std::chrono::seconds multipart_max_age = std::chrono::hours(24 * 7);
  // The file-system seam (fault injection in tests); null means posix_file_system().
  file_system* fs = nullptr;
};

struct open_report {
  std::size_t buckets = 0;
  std::size_t objects = 0;
  std::size_t uploads = 0;
  std::size_t temp_entries_removed = 0;
  std::size_t uploads_expired = 0;
  // One line per skipped file or directory (corrupt, misplaced, unreadable): log them.
  std::vector<std::string> problems;
};

struct bucket_info {
  std::string name;
  timestamp created{};
};

enum class bucket_config { cors, policy };

struct put_options {
  object_headers headers;
  digest_request digests;
  // Content-Length (or x-amz-decoded-content-length) when known: refused up front when above the
  // limit, before anything is written.
  std::optional<std::uint64_t> expected_size;
};

struct commit_options {
  timestamp now{};
  // Content-MD5 as sent (decoded): bad_digest when the data differs.
  std::optional<md5_digest> content_md5;
  // The data's MD5, required when the writer was opened with digests.md5 = false.
  std::optional<md5_digest> md5;
  // Verified x-amz-checksum-* values to store: algorithm -> base64 (appended to the headers').
  std::vector<std::pair<std::string, std::string>> checksums;
  // Conditional write (ignored for parts): If-Match / If-None-Match as sent.
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
};

struct object_info {
  std::string etag;  // unquoted
  std::uint64_t size = 0;
  timestamp last_modified{};
};

class object_store;
struct bucket_state;

// Streams one object (PutObject) or one part (UploadPart) to disk. write() as the body arrives,
// then finish() to get the digests (compare them with what the client declared), then commit()
// (fdatasync + rename: run it on a worker thread) or abort(). Destroying an uncommitted writer
// aborts it. Any error from write() or commit() has already removed the temp file.
class object_writer {
 public:
  object_writer(object_writer&&) noexcept = default;
  object_writer& operator=(object_writer&&) noexcept = default;
  ~object_writer() = default;

  result<void> write(std::span<const std::byte> data) { return file_.write(data); }
  result<void> write(std::string_view data) { return file_.write(data); }
  const digests& finish() { return file_.finish(); }
  std::uint64_t size() const noexcept { return file_.size(); }

  // Errors before the rename leave the previous version untouched (bad_digest,
  // precondition_failed, no_such_key for If-Match on a missing key, no_such_bucket,
  // no_such_upload for a part of an aborted upload, insufficient_storage, internal). An error
  // from the directory fsync after the rename means the new version is visible but may not
  // survive a power loss.
  result<object_info> commit(const commit_options& options);
  void abort() noexcept { file_.discard(); }

 private:
  friend class object_store;
  object_writer(object_store& store, std::shared_ptr<bucket_state> bucket, durable_writer file)
      : store_(&store), bucket_(std::move(bucket)), file_(std::move(file)) {}

  object_store* store_;
  std::shared_ptr<bucket_state> bucket_;
  durable_writer file_;
  std::string key_;
  object_headers headers_;
  // Set for a part: the upload and its number.
  std::string upload_id_;
  std::uint32_t part_number_ = 0;
};

// An open object: send `size` bytes of `fd` from `data_offset` (sendfile-friendly). The fd is a
// snapshot: a concurrent overwrite or delete does not change what it reads.
struct object_reader {
  unique_fd fd;
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0;
  object_meta meta;
};

class object_store {
 public:
  // Creates the data folder (with its parents) and the layout if missing, empties tmp/, removes
  // uploads older than multipart_max_age at `now`, and builds the indexes. Fails only when the data
  // folder itself is unusable; bad files are skipped and listed in `report`.
  static result<std::unique_ptr<object_store>> open(store_options options, timestamp now,
                                                    open_report* report = nullptr);

  object_store(const object_store&) = delete;
  object_store& operator=(const object_store&) = delete;
  ~object_store();

  // ---- buckets
  // invalid_bucket_name, bucket_already_owned_by_you.
  result<void> create_bucket(std::string_view name, timestamp now);
  // no_such_bucket, bucket_not_empty (objects or multipart uploads remain).
  result<void> delete_bucket(std::string_view name);
  // no_such_bucket.
  result<bucket_info> head_bucket(std::string_view name) const;
  // Sorted by name.
  std::vector<bucket_info> list_buckets() const;

  // Opaque blobs (CORS XML, policy JSON: the caller parses and validates them).
  // entity_too_large above max_bucket_config_bytes.
  result<void> put_bucket_config(std::string_view bucket, bucket_config kind,
                                 std::string_view blob);
  // no_such_cors_configuration / no_such_bucket_policy when unset.
  result<std::string> get_bucket_config(std::string_view bucket, bucket_config kind) const;
  // Succeeds when unset, as S3.
  result<void> delete_bucket_config(std::string_view bucket, bucket_config kind);

  // ---- objects
  // no_such_bucket, invalid_key, key_too_long, metadata_too_large, entity_too_large
  // (expected_size above max_object_size), insufficient_storage.
  result<object_writer> begin_put(std::string_view bucket, std::string_view key,
                                  put_options options);
  // no_such_bucket, no_such_key.
  result<object_reader> open_object(std::string_view bucket, std::string_view key) const;
  // Index lookup without touching the disk. no_such_bucket, no_such_key.
  result<object_summary> stat_object(std::string_view bucket, std::string_view key) const;
  // True when an object was removed; deleting a missing key succeeds (S3). no_such_bucket.
  result<bool> delete_object(std::string_view bucket, std::string_view key);
  // no_such_bucket, invalid_argument (bad continuation token).
  result<list_page> list_objects(std::string_view bucket, const list_params& params) const;

  // ---- multipart
  // Returns the upload id (URL-safe, 32 characters).
  result<std::string> create_multipart_upload(std::string_view bucket, std::string_view key,
                                              const object_headers& headers, timestamp now);
  // invalid_part_number (outside 1..max_parts), no_such_upload (unknown id or other key),
  // entity_too_large (expected_size above max_part_size). Commit replaces an existing part with
  // the same number atomically; its commit_options conditions are ignored.
  result<object_writer> begin_upload_part(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id, std::uint32_t part_number,
                                          put_options options);
  result<list_parts_page> list_parts(std::string_view bucket, std::string_view key,
                                     std::string_view upload_id,
                                     const list_parts_params& params) const;
  // Parts must be listed in strictly ascending order (invalid_part_order), each uploaded with
  // the listed ETag (invalid_part; also for an empty list), every part but the last at least
  // min_part_size (entity_too_small). ETag of the result: hex(MD5(concatenated binary part
  // MD5s)) + "-" + part count. `options.now` is the Last-Modified; conditions apply as on PUT.
  result<object_info> complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                std::string_view upload_id,
                                                std::span<const completed_part> parts,
                                                const commit_options& options);
  result<void> abort_multipart_upload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id);
  // Ordered by key, then upload id.
  result<list_uploads_page> list_multipart_uploads(std::string_view bucket,
                                                   const list_uploads_params& params) const;
  // Aborts uploads initiated before now - multipart_max_age; returns how many.
  std::size_t sweep_expired_uploads(timestamp now);

  const store_options& options() const noexcept { return options_; }

  // The file an object lives in (for tests and diagnostics).
  std::filesystem::path object_path(std::string_view bucket, std::string_view key) const;

 private:
  friend class object_writer;
  explicit object_store(store_options options);

  result<object_info> commit_object(object_writer& w, const commit_options& options);
  result<object_info> commit_part(object_writer& w, const commit_options& options);
  std::shared_ptr<bucket_state> find_bucket(std::string_view name) const;
  std::filesystem::path bucket_dir(std::string_view bucket) const;
  std::filesystem::path upload_dir(std::string_view bucket, std::string_view upload_id) const;
  result<durable_writer> new_writer(digest_request want, std::uint64_t max_size) const;
  void load_bucket(const std::filesystem::path& dir, timestamp now, open_report& report);
  // Publishes w's synced file at `target` under the bucket lock (held by the caller), creating
  // the parent directory on ENOENT when `make_parent` (then `parent_created` is set, and the
  // grandparent needs an fsync too). Discards the temp file on failure.
  result<void> publish_locked(durable_writer& file, const std::filesystem::path& target,
                              bool make_parent, bool& parent_created);
  // Moves a directory into tmp/ and deletes it there.
  void remove_dir_atomically(const std::filesystem::path& dir);

  store_options options_;
  file_system* fs_;
  std::filesystem::path tmp_dir_;
  std::filesystem::path buckets_dir_;
  mutable std::shared_mutex buckets_mutex_;
  std::map<std::string, std::shared_ptr<bucket_state>, std::less<>> buckets_;
  // Serialises bucket creation and deletion (rare, and they do disk work).
  std::mutex bucket_admin_mutex_;
};

}  // namespace onehop::store
