#include "store/object_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "sigv4/crypto.hpp"
#include "store/conditions.hpp"
#include "store/engine_internal.hpp"
#include "store/names.hpp"

namespace onehop::store {

namespace fs_std = std::filesystem;
using namespace engine_detail;

namespace engine_detail {

std::string key_file_name(std::string_view key) {
  return sigv4::to_hex(sigv4::sha256(key));
}

std::string to_hex_string(const md5_digest& d) {
  return sigv4::to_hex(d);
}

md5_digest data_md5(const digests& d, const commit_options& options) {
  if (options.md5) {
    return *options.md5;
  }
  if (!d.md5) {
    throw std::logic_error("commit: a writer without MD5 needs commit_options::md5");
  }
  return *d.md5;
}

result<void> check_key(std::string_view key) noexcept {
  auto r = validate_key(key);
  if (r) {
    return {};
  }
  return r.error() == make_error_code(parse_errc::key_too_long) ? errc::key_too_long
                                                                : errc::invalid_key;
}

result<void> write_small_file(file_system& fs, const fs_std::path& tmp_dir,
                              const fs_std::path& target, std::string_view data,
                              const object_meta& meta) {
  auto w = durable_writer::create(fs, tmp_dir, {}, data.size());
  if (!w) {
    return w.error();
  }
  if (auto r = w->write(data); !r) {
    return r;
  }
  const std::string json = encode_meta(meta);
  const auto footer = make_footer(json, data.size());
  if (auto r = w->append_trailer(json); !r) {
    return r;
  }
  if (auto r = w->append_trailer(std::string_view(footer.data(), footer.size())); !r) {
    return r;
  }
  if (auto r = w->sync(); !r) {
    return r;
  }
  const int rc = w->try_publish(target);
  if (rc < 0) {
    w->discard();
    return errc_from_errno(rc);
  }
  return {};
}

result<small_file> read_small_file(const fs_std::path& path, std::size_t max_bytes) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return errno == ENOENT ? errc::no_such_key : errc::internal;
  }
  auto meta = read_meta(fd.get());
  if (!meta) {
    return meta.error();
  }
  if (meta->size > max_bytes) {
    return errc::internal;
  }
  small_file out;
  out.data.resize(static_cast<std::size_t>(meta->size));
  if (!pread_exact(fd.get(), out.data.data(), out.data.size(), 0)) {
    return errc::internal;
  }
  out.meta = std::move(*meta);
  return out;
}

}  // namespace engine_detail

namespace {

std::string_view config_name(bucket_config kind) noexcept {
  return kind == bucket_config::cors ? "cors" : "policy";
}

result<void> make_dir(file_system& fs, const fs_std::path& dir) {
  const int rc = fs.mkdir(dir.c_str(), 0755);
  if (rc < 0 && rc != -EEXIST) {
    return errc_from_errno(rc);
  }
  return {};
}

result<void> check_headers(const object_headers& h) {
  if (user_metadata_bytes(h) > max_user_metadata_bytes) {
    return errc::metadata_too_large;
  }
  return {};
}

}  // namespace

// ---- object_writer

result<object_info> object_writer::commit(const commit_options& options) {
  if (part_number_ != 0) {
    return store_->commit_part(*this, options);
  }
  return store_->commit_object(*this, options);
}

// ---- object_store

object_store::object_store(store_options options)
    : options_(std::move(options)),
      fs_(options_.fs != nullptr ? options_.fs : &posix_file_system()),
      tmp_dir_(options_.data_dir / "tmp"),
      buckets_dir_(options_.data_dir / "buckets") {}

object_store::~object_store() = default;

result<std::unique_ptr<object_store>> object_store::open(store_options options, timestamp now,
                                                         open_report* report) {
  open_report local;
  open_report& rep = report != nullptr ? *report : local;
  std::unique_ptr<object_store> store(new object_store(std::move(options)));
  file_system& fs = *store->fs_;
  std::error_code created;
  // Start-up only: the data folder and its parents may not exist yet.
  std::filesystem::create_directories(store->options_.data_dir, created);
  for (const auto& dir : {store->tmp_dir_, store->buckets_dir_}) {
    if (auto r = make_dir(fs, dir); !r) {
      return r.error();
    }
  }
  std::error_code ec;
  // Leftovers of writes and bucket/upload removals cut short by a crash.
  std::vector<fs_std::path> leftovers;
  for (fs_std::directory_iterator it(store->tmp_dir_, ec), end; !ec && it != end;
       it.increment(ec)) {
    leftovers.push_back(it->path());
  }
  if (ec) {
    return errc::internal;
  }
  for (const auto& p : leftovers) {
    if (remove_tree(fs, p)) {
      ++rep.temp_entries_removed;
    } else {
      rep.problems.push_back("cannot remove temp entry " + p.string());
    }
  }
  std::vector<fs_std::path> bucket_dirs;
  for (fs_std::directory_iterator it(store->buckets_dir_, ec), end; !ec && it != end;
       it.increment(ec)) {
    bucket_dirs.push_back(it->path());
  }
  if (ec) {
    return errc::internal;
  }
  for (const auto& dir : bucket_dirs) {
    store->load_bucket(dir, now, rep);
  }
  return store;
}

void object_store::load_bucket(const fs_std::path& dir, timestamp now, open_report& report) {
  const std::string name = dir.filename().string();
  if (!validate_bucket_name(name)) {
    report.problems.push_back("not a bucket folder: " + dir.string());
    return;
  }
  auto record = read_small_file(dir / bucket_record, 0);
  if (!record) {
    report.problems.push_back("missing or corrupt bucket record: " +
                              (dir / bucket_record).string());
    return;
  }
  auto state = std::make_shared<bucket_state>();
  state->name = name;
  state->created = record->meta.last_modified;
  std::error_code ec;
  for (fs_std::directory_iterator fan(dir / objects_dir, ec), end; !ec && fan != end;
       fan.increment(ec)) {
    const std::string fan_name = fan->path().filename().string();
    std::error_code ec2;
    for (fs_std::directory_iterator it(fan->path(), ec2), end2; !ec2 && it != end2;
         it.increment(ec2)) {
      const fs_std::path& file = it->path();
      unique_fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
      auto meta = fd ? read_meta(fd.get()) : result<object_meta>(errc::internal);
      if (!meta) {
        report.problems.push_back("corrupt object file skipped: " + file.string());
        continue;
      }
      const std::string expected = key_file_name(meta->key);
      if (!check_key(meta->key) || file.filename().string() != expected ||
          fan_name != expected.substr(0, 2)) {
        report.problems.push_back("misplaced object file skipped: " + file.string());
        continue;
      }
      state->objects.insert_or_assign(meta->key,
                                      object_summary{meta->size, meta->etag, meta->last_modified});
      ++report.objects;
    }
  }
  const auto expiry =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.multipart_max_age);
  std::vector<fs_std::path> expired;
  for (fs_std::directory_iterator it(dir / multipart_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string id = it->path().filename().string();
    auto upload = read_small_file(it->path() / upload_record, 0);
    if (!is_valid_upload_id(id) || !upload || !check_key(upload->meta.key)) {
      report.problems.push_back("corrupt multipart upload skipped: " + it->path().string());
      continue;
    }
    if (upload->meta.last_modified < expiry) {
      expired.push_back(it->path());
      continue;
    }
    state->uploads.emplace(std::make_pair(upload->meta.key, id), upload->meta.last_modified);
    ++report.uploads;
  }
  for (const auto& p : expired) {
    remove_dir_atomically(p);
    ++report.uploads_expired;
  }
  ++report.buckets;
  std::unique_lock lock(buckets_mutex_);
  buckets_.emplace(name, std::move(state));
}

std::shared_ptr<bucket_state> object_store::find_bucket(std::string_view name) const {
  std::shared_lock lock(buckets_mutex_);
  const auto it = buckets_.find(name);
  return it == buckets_.end() ? nullptr : it->second;
}

fs_std::path object_store::bucket_dir(std::string_view bucket) const {
  return buckets_dir_ / std::string(bucket);
}

fs_std::path object_store::upload_dir(std::string_view bucket, std::string_view upload_id) const {
  return bucket_dir(bucket) / multipart_dir / std::string(upload_id);
}

fs_std::path object_store::object_path(std::string_view bucket, std::string_view key) const {
  const std::string name = key_file_name(key);
  return bucket_dir(bucket) / objects_dir / name.substr(0, 2) / name;
}

result<durable_writer> object_store::new_writer(digest_request want, std::uint64_t max_size) const {
  return durable_writer::create(*fs_, tmp_dir_, want, max_size);
}

void object_store::remove_dir_atomically(const fs_std::path& dir) {
  const fs_std::path grave = tmp_dir_ / ("rm-" + random_token(12));
  if (fs_->rename(dir.c_str(), grave.c_str()) == 0) {
    sync_directory(*fs_, dir.parent_path());
    remove_tree(*fs_, grave);
  } else {
    remove_tree(*fs_, dir);
  }
}

result<void> object_store::publish_locked(durable_writer& file, const fs_std::path& target,
                                          bool make_parent, bool& parent_created) {
  int rc = file.try_publish(target);
  if (rc == -ENOENT && make_parent) {
    // The fan-out folder is created on first use.
    const int mk = fs_->mkdir(target.parent_path().c_str(), 0755);
    if (mk < 0 && mk != -EEXIST) {
      file.discard();
      return errc_from_errno(mk);
    }
    parent_created = mk == 0;
    rc = file.try_publish(target);
  }
  if (rc < 0) {
    file.discard();
    return errc_from_errno(rc);
  }
  return {};
}

// ---- buckets

result<void> object_store::create_bucket(std::string_view name, timestamp now) {
  if (!validate_bucket_name(name)) {
    return errc::invalid_bucket_name;
  }
  std::lock_guard admin(bucket_admin_mutex_);
  if (find_bucket(name)) {
    return errc::bucket_already_owned_by_you;
  }
  // Build the whole bucket folder in tmp/, then one rename makes it appear.
  const fs_std::path staging = tmp_dir_ / ("b-" + random_token(12));
  auto fail = [&](errc e) -> result<void> {
    remove_tree(*fs_, staging);
    return e;
  };
  for (const auto& dir :
       {staging, staging / objects_dir, staging / multipart_dir, staging / config_dir}) {
    if (auto r = make_dir(*fs_, dir); !r) {
      return fail(static_cast<errc>(r.error().value()));
    }
  }
  object_meta record;
  record.key = std::string(name);
  record.last_modified = now;
  if (auto r = write_small_file(*fs_, tmp_dir_, staging / bucket_record, {}, record); !r) {
    return fail(static_cast<errc>(r.error().value()));
  }
  for (const auto& dir :
       {staging / objects_dir, staging / multipart_dir, staging / config_dir, staging}) {
    if (auto r = sync_directory(*fs_, dir); !r) {
      return fail(static_cast<errc>(r.error().value()));
    }
  }
  const fs_std::path target = bucket_dir(name);
  if (const int rc = fs_->rename(staging.c_str(), target.c_str()); rc < 0) {
    return fail(rc == -EEXIST || rc == -ENOTEMPTY ? errc::bucket_already_owned_by_you
                                                  : errc_from_errno(rc));
  }
  if (auto r = sync_directory(*fs_, buckets_dir_); !r) {
    return r;
  }
  auto state = std::make_shared<bucket_state>();
  state->name = std::string(name);
  state->created = now;
  std::unique_lock lock(buckets_mutex_);
  buckets_.emplace(std::string(name), std::move(state));
  return {};
}

result<void> object_store::delete_bucket(std::string_view name) {
  std::lock_guard admin(bucket_admin_mutex_);
  auto state = find_bucket(name);
  if (!state) {
    return errc::no_such_bucket;
  }
  {
    std::lock_guard lock(state->mutex);
    if (!state->objects.empty() || !state->uploads.empty()) {
      return errc::bucket_not_empty;
    }
    state->deleted = true;
  }
  const fs_std::path grave = tmp_dir_ / ("rm-" + random_token(12));
  if (const int rc = fs_->rename(bucket_dir(name).c_str(), grave.c_str()); rc < 0) {
    std::lock_guard lock(state->mutex);
    state->deleted = false;
    return errc_from_errno(rc);
  }
  {
    std::unique_lock lock(buckets_mutex_);
    buckets_.erase(buckets_.find(name));
  }
  auto synced = sync_directory(*fs_, buckets_dir_);
  remove_tree(*fs_, grave);
  return synced;
}

result<bucket_info> object_store::head_bucket(std::string_view name) const {
  auto state = find_bucket(name);
  if (!state) {
    return errc::no_such_bucket;
  }
  return bucket_info{state->name, state->created};
}

std::vector<bucket_info> object_store::list_buckets() const {
  std::shared_lock lock(buckets_mutex_);
  std::vector<bucket_info> out;
  out.reserve(buckets_.size());
  for (const auto& [name, state] : buckets_) {
    out.push_back(bucket_info{name, state->created});
  }
  return out;
}

result<void> object_store::put_bucket_config(std::string_view bucket, bucket_config kind,
                                             std::string_view blob) {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  if (blob.size() > max_bucket_config_bytes) {
    return errc::entity_too_large;
  }
  const fs_std::path dir = bucket_dir(bucket) / config_dir;
  object_meta meta;
  meta.key = std::string(config_name(kind));
  meta.size = blob.size();
  auto r = write_small_file(*fs_, tmp_dir_, dir / config_name(kind), blob, meta);
  if (!r) {
    return r.error() == make_error_code(errc::internal) && !find_bucket(bucket)
               ? result<void>(errc::no_such_bucket)
               : r;
  }
  return sync_directory(*fs_, dir);
}

result<std::string> object_store::get_bucket_config(std::string_view bucket,
                                                    bucket_config kind) const {
  if (!find_bucket(bucket)) {
    return errc::no_such_bucket;
  }
  auto file =
      read_small_file(bucket_dir(bucket) / config_dir / config_name(kind), max_bucket_config_bytes);
  if (!file) {
    if (file.error() == make_error_code(errc::no_such_key)) {
      return kind == bucket_config::cors ? errc::no_such_cors_configuration
                                         : errc::no_such_bucket_policy;
    }
    return file.error();
  }
  return std::move(file->data);
}

result<void> object_store::delete_bucket_config(std::string_view bucket, bucket_config kind) {
  if (!find_bucket(bucket)) {
    return errc::no_such_bucket;
  }
  const fs_std::path dir = bucket_dir(bucket) / config_dir;
  const int rc = fs_->unlink((dir / config_name(kind)).c_str());
  if (rc < 0 && rc != -ENOENT) {
    return errc_from_errno(rc);
  }
  return sync_directory(*fs_, dir);
}

// ---- objects

result<object_writer> object_store::begin_put(std::string_view bucket, std::string_view key,
                                              put_options options) {
  if (auto r = check_key(key); !r) {
    return r.error();
  }
  if (auto r = check_headers(options.headers); !r) {
    return r.error();
  }
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  if (options.expected_size && *options.expected_size > options_.max_object_size) {
    return errc::entity_too_large;
  }
  auto file = new_writer(options.digests, options_.max_object_size);
  if (!file) {
    return file.error();
  }
  object_writer w(*this, std::move(state), std::move(*file));
  w.key_ = std::string(key);
  w.headers_ = std::move(options.headers);
  return w;
}

result<object_info> object_store::commit_object(object_writer& w, const commit_options& options) {
  durable_writer& file = w.file_;
  if (file.temp_path().empty()) {
    return errc::writer_closed;
  }
  const digests& d = file.finish();
  const md5_digest md5 = data_md5(d, options);
  if (options.content_md5 && *options.content_md5 != md5) {
    file.discard();
    return errc::bad_digest;
  }
  object_meta meta;
  meta.key = w.key_;
  meta.size = d.size;
  meta.etag = to_hex_string(md5);
  meta.last_modified = options.now;
  meta.headers = w.headers_;
  meta.headers.checksums.insert(meta.headers.checksums.end(), options.checksums.begin(),
                                options.checksums.end());
  const std::string json = encode_meta(meta);
  if (json.size() > max_meta_bytes) {
    file.discard();
    return errc::metadata_too_large;
  }
  const auto footer = make_footer(json, meta.size);
  if (auto r = file.append_trailer(json); !r) {
    return r.error();
  }
  if (auto r = file.append_trailer(std::string_view(footer.data(), footer.size())); !r) {
    return r.error();
  }
  // The slow part, outside every lock.
  if (auto r = file.sync(); !r) {
    return r.error();
  }
  const fs_std::path target = object_path(w.bucket_->name, meta.key);
  bool fan_created = false;
  {
    bucket_state& b = *w.bucket_;
    std::lock_guard lock(b.mutex);
    if (b.deleted) {
      file.discard();
      return errc::no_such_bucket;
    }
    if (options.if_match || options.if_none_match) {
      const auto it = b.objects.find(meta.key);
      const std::optional<std::string> current =
          it == b.objects.end() ? std::nullopt : std::optional<std::string>(it->second.etag);
      const auto outcome = evaluate_write_conditions(
          options.if_match ? std::optional<std::string_view>(*options.if_match) : std::nullopt,
          options.if_none_match ? std::optional<std::string_view>(*options.if_none_match)
                                : std::nullopt,
          current);
      if (outcome != condition_outcome::proceed) {
        file.discard();
        return outcome == condition_outcome::no_such_key ? errc::no_such_key
                                                         : errc::precondition_failed;
      }
    }
    if (auto r = publish_locked(file, target, true, fan_created); !r) {
      return r.error();
    }
    b.objects.insert_or_assign(meta.key, object_summary{meta.size, meta.etag, meta.last_modified});
  }
  if (fan_created) {
    if (auto r = sync_directory(*fs_, target.parent_path().parent_path()); !r) {
      return r.error();
    }
  }
  if (auto r = sync_directory(*fs_, target.parent_path()); !r) {
    return r.error();
  }
  return object_info{meta.etag, meta.size, meta.last_modified};
}

result<object_reader> object_store::open_object(std::string_view bucket,
                                                std::string_view key) const {
  if (auto r = check_key(key); !r) {
    return r.error();
  }
  if (!find_bucket(bucket)) {
    return errc::no_such_bucket;
  }
  const fs_std::path path = object_path(bucket, key);
  object_reader reader;
  reader.fd = unique_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!reader.fd) {
    return errno == ENOENT ? errc::no_such_key : errc::internal;
  }
  auto meta = read_meta(reader.fd.get());
  if (!meta) {
    return meta.error();
  }
  if (meta->key != key) {
    // Not this key's file (a corrupt or planted file): never serve another key's bytes.
    return errc::internal;
  }
  reader.data_offset = 0;
  reader.size = meta->size;
  reader.meta = std::move(*meta);
  return reader;
}

result<object_summary> object_store::stat_object(std::string_view bucket,
                                                 std::string_view key) const {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  std::lock_guard lock(state->mutex);
  const auto it = state->objects.find(key);
  if (it == state->objects.end()) {
    return errc::no_such_key;
  }
  return it->second;
}

result<bool> object_store::delete_object(std::string_view bucket, std::string_view key) {
  if (auto r = check_key(key); !r) {
    return result<bool>(boost::system::in_place_error, r.error());
  }
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  const fs_std::path path = object_path(bucket, key);
  {
    std::lock_guard lock(state->mutex);
    if (state->deleted) {
      return errc::no_such_bucket;
    }
    const int rc = fs_->unlink(path.c_str());
    if (rc == -ENOENT) {
      state->objects.erase(std::string(key));
      return false;
    }
    if (rc < 0) {
      return errc_from_errno(rc);
    }
    state->objects.erase(std::string(key));
  }
  if (auto r = sync_directory(*fs_, path.parent_path()); !r) {
    return result<bool>(boost::system::in_place_error, r.error());
  }
  return true;
}

result<list_page> object_store::list_objects(std::string_view bucket,
                                             const list_params& params) const {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  std::lock_guard lock(state->mutex);
  return onehop::store::list_objects(state->objects, params);
}

}  // namespace onehop::store
