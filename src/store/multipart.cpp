#include "store/multipart.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "sigv4/crypto.hpp"
#include "store/conditions.hpp"
#include "store/engine_internal.hpp"
#include "store/md5.hpp"
#include "store/object_store.hpp"

namespace onehop::store {

namespace fs_std = std::filesystem;
using namespace engine_detail;

// ---- pure rules

std::string_view unquote_etag(std::string_view etag) noexcept {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

result<void> check_part_list(std::span<const completed_part> parts, std::uint32_t max_parts) {
  if (parts.empty()) {
    return errc::invalid_part;
  }
  std::uint32_t previous = 0;
  for (const completed_part& p : parts) {
    if (p.part_number < 1 || p.part_number > max_parts) {
      return errc::invalid_part_number;
    }
    if (p.part_number <= previous) {
      return errc::invalid_part_order;
    }
    previous = p.part_number;
  }
  return {};
}

std::optional<std::string> multipart_etag(std::span<const std::string> part_etags) {
  md5_hasher md5;
  for (const std::string& etag : part_etags) {
    md5_digest raw{};
    if (!sigv4::hex_decode(unquote_etag(etag), raw)) {
      return std::nullopt;
    }
    md5.update(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  }
  return sigv4::to_hex(md5.finish()) + "-" + std::to_string(part_etags.size());
}

bool is_valid_upload_id(std::string_view id) noexcept {
  if (id.size() != upload_id_chars) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string part_file_name(std::uint32_t part_number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "part-%05u", part_number);
  return buf;
}

std::optional<std::uint32_t> parse_part_file_name(std::string_view name) noexcept {
  constexpr std::string_view prefix = "part-";
  if (name.size() != prefix.size() + 5 || name.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  std::uint32_t n = 0;
  for (char c : name.substr(prefix.size())) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (n == 0) {
    return std::nullopt;
  }
  return n;
}

list_uploads_page list_uploads(const upload_index& index, const list_uploads_params& params) {
  list_uploads_page page;
  const std::size_t max_uploads = std::min(params.max_uploads, max_list_uploads);
  if (max_uploads == 0) {
    return page;
  }
  auto it = index.lower_bound({params.prefix, std::string()});
  if (!params.key_marker.empty()) {
    // Empty upload-id-marker: start after every upload of key_marker. Otherwise after that id.
    const auto after =
        params.upload_id_marker.empty()
            ? index.lower_bound({params.key_marker + std::string(1, '\0'), std::string()})
            : index.upper_bound({params.key_marker, params.upload_id_marker});
    if (after == index.end() || (it != index.end() && after->first > it->first)) {
      it = after;
    }
  }
  const std::string_view prefix = params.prefix;
  const std::string_view delimiter = params.delimiter;
  while (it != index.end() &&
         std::string_view(it->first.first).substr(0, prefix.size()) == prefix) {
    const std::string& key = it->first.first;
    if (!delimiter.empty()) {
      const auto pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) {
        const std::string common = key.substr(0, pos + delimiter.size());
        if (page.uploads.size() + page.common_prefixes.size() == max_uploads) {
          page.is_truncated = true;
          break;
        }
        page.common_prefixes.push_back(common);
        page.next_key_marker = common;
        page.next_upload_id_marker.clear();
        const std::string next = prefix_successor(common);
        it = next.empty() ? index.end() : index.lower_bound({next, std::string()});
        continue;
      }
    }
    if (page.uploads.size() + page.common_prefixes.size() == max_uploads) {
      page.is_truncated = true;
      break;
    }
    page.uploads.push_back(upload_info{key, it->first.second, it->second});
    page.next_key_marker = key;
    page.next_upload_id_marker = it->first.second;
    ++it;
  }
  if (!page.is_truncated) {
    page.next_key_marker.clear();
    page.next_upload_id_marker.clear();
  }
  return page;
}

// ---- object_store: multipart operations

result<std::string> object_store::create_multipart_upload(std::string_view bucket,
                                                          std::string_view key,
                                                          const object_headers& headers,
                                                          timestamp now) {
  if (auto r = check_key(key); !r) {
    return r.error();
  }
  if (user_metadata_bytes(headers) > max_user_metadata_bytes) {
    return errc::metadata_too_large;
  }
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  std::string id = random_token(24);
  // Staged in tmp/ and renamed into place: an upload exists with its record, or not at all.
  const fs_std::path staging = tmp_dir_ / ("u-" + id);
  if (const int rc = fs_->mkdir(staging.c_str(), 0755); rc < 0) {
    return errc_from_errno(rc);
  }
  object_meta record;
  record.key = std::string(key);
  record.last_modified = now;
  record.headers = headers;
  auto fail = [&](boost::system::error_code ec) -> result<std::string> {
    remove_tree(*fs_, staging);
    return ec;
  };
  if (auto r = write_small_file(*fs_, tmp_dir_, staging / upload_record, {}, record); !r) {
    return fail(r.error());
  }
  if (auto r = sync_directory(*fs_, staging); !r) {
    return fail(r.error());
  }
  const fs_std::path target = upload_dir(bucket, id);
  {
    std::lock_guard lock(state->mutex);
    if (state->deleted) {
      return fail(errc::no_such_bucket);
    }
    if (const int rc = fs_->rename(staging.c_str(), target.c_str()); rc < 0) {
      return fail(errc_from_errno(rc));
    }
    state->uploads.emplace(std::make_pair(std::string(key), id), now);
  }
  if (auto r = sync_directory(*fs_, target.parent_path()); !r) {
    return r.error();
  }
  return id;
}

result<object_writer> object_store::begin_upload_part(std::string_view bucket, std::string_view key,
                                                      std::string_view upload_id,
                                                      std::uint32_t part_number,
                                                      put_options options) {
  if (part_number < 1 || part_number > options_.max_parts) {
    return errc::invalid_part_number;
  }
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  {
    std::lock_guard lock(state->mutex);
    if (!state->uploads.contains({std::string(key), std::string(upload_id)})) {
      return errc::no_such_upload;
    }
  }
  if (options.expected_size && *options.expected_size > options_.max_part_size) {
    return errc::entity_too_large;
  }
  auto file = new_writer(options.digests, options_.max_part_size);
  if (!file) {
    return file.error();
  }
  object_writer w(*this, std::move(state), std::move(*file));
  w.key_ = std::string(key);
  w.upload_id_ = std::string(upload_id);
  w.part_number_ = part_number;
  return w;
}

result<object_info> object_store::commit_part(object_writer& w, const commit_options& options) {
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
  meta.size = d.size;
  meta.etag = to_hex_string(md5);
  meta.last_modified = options.now;
  meta.headers.checksums = options.checksums;
  const std::string json = encode_meta(meta);
  const auto footer = make_footer(json, meta.size);
  if (auto r = file.append_trailer(json); !r) {
    return r.error();
  }
  if (auto r = file.append_trailer(std::string_view(footer.data(), footer.size())); !r) {
    return r.error();
  }
  if (auto r = file.sync(); !r) {
    return r.error();
  }
  const fs_std::path dir = upload_dir(w.bucket_->name, w.upload_id_);
  {
    bucket_state& b = *w.bucket_;
    std::lock_guard lock(b.mutex);
    if (b.deleted) {
      file.discard();
      return errc::no_such_bucket;
    }
    if (!b.uploads.contains({w.key_, w.upload_id_})) {
      file.discard();
      return errc::no_such_upload;
    }
    bool unused = false;
    if (auto r = publish_locked(file, dir / part_file_name(w.part_number_), false, unused); !r) {
      return r.error();
    }
  }
  if (auto r = sync_directory(*fs_, dir); !r) {
    return r.error();
  }
  return object_info{meta.etag, meta.size, meta.last_modified};
}

result<list_parts_page> object_store::list_parts(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id,
                                                 const list_parts_params& params) const {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  list_parts_page page;
  page.key = std::string(key);
  {
    std::lock_guard lock(state->mutex);
    const auto it = state->uploads.find({std::string(key), std::string(upload_id)});
    if (it == state->uploads.end()) {
      return errc::no_such_upload;
    }
    page.initiated = it->second;
  }
  const fs_std::path dir = upload_dir(bucket, upload_id);
  std::vector<std::uint32_t> numbers;
  std::error_code ec;
  for (fs_std::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto n = parse_part_file_name(it->path().filename().string());
    if (n && *n > params.part_number_marker) {
      numbers.push_back(*n);
    }
  }
  if (ec) {
    // Completed or aborted since the lookup above.
    return ec == std::errc::no_such_file_or_directory
               ? result<list_parts_page>(errc::no_such_upload)
               : result<list_parts_page>(errc::internal);
  }
  std::sort(numbers.begin(), numbers.end());
  const std::size_t max_parts = std::min(params.max_parts, max_list_parts);
  for (std::uint32_t n : numbers) {
    if (page.parts.size() == max_parts) {
      page.is_truncated = true;
      break;
    }
    unique_fd fd(::open((dir / part_file_name(n)).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      continue;  // Replaced or removed concurrently.
    }
    auto meta = read_meta(fd.get());
    if (!meta) {
      return errc::internal;
    }
    page.parts.push_back(part_info{n, meta->etag, meta->size, meta->last_modified});
  }
  if (!page.parts.empty()) {
    page.next_part_number_marker = page.parts.back().part_number;
  }
  return page;
}

result<object_info> object_store::complete_multipart_upload(std::string_view bucket,
                                                            std::string_view key,
                                                            std::string_view upload_id,
                                                            std::span<const completed_part> parts,
                                                            const commit_options& options) {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  {
    std::lock_guard lock(state->mutex);
    if (!state->uploads.contains({std::string(key), std::string(upload_id)})) {
      return errc::no_such_upload;
    }
  }
  if (auto r = check_part_list(parts, options_.max_parts); !r) {
    return r.error();
  }
  const fs_std::path dir = upload_dir(bucket, upload_id);
  auto record = read_small_file(dir / upload_record, 0);
  if (!record) {
    return record.error() == make_error_code(errc::no_such_key) ? errc::no_such_upload
                                                                : record.error();
  }
  // Open every part first: the fds pin the listed versions even if a part is re-uploaded while
  // we copy.
  struct open_part {
    unique_fd fd;
    std::uint64_t size = 0;
  };
  std::vector<open_part> opened;
  std::vector<std::string> etags;
  opened.reserve(parts.size());
  etags.reserve(parts.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    unique_fd fd(
        ::open((dir / part_file_name(parts[i].part_number)).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      return errc::invalid_part;
    }
    auto meta = read_meta(fd.get());
    if (!meta) {
      return errc::internal;
    }
    if (unquote_etag(parts[i].etag) != meta->etag) {
      return errc::invalid_part;
    }
    if (i + 1 < parts.size() && meta->size < options_.min_part_size) {
      return errc::entity_too_small;
    }
    total += meta->size;
    etags.push_back(meta->etag);
    opened.push_back(open_part{std::move(fd), meta->size});
  }
  if (total > options_.max_multipart_object_size) {
    return errc::entity_too_large;
  }
  auto etag = multipart_etag(etags);
  if (!etag) {
    return errc::internal;
  }
  auto file = new_writer({}, options_.max_multipart_object_size);
  if (!file) {
    return file.error();
  }
  for (const open_part& p : opened) {
    if (auto r = file->append_from(p.fd.get(), 0, p.size); !r) {
      return r.error();
    }
  }
  object_meta meta;
  meta.key = std::string(key);
  meta.size = total;
  meta.etag = *etag;
  meta.last_modified = options.now;
  meta.headers = std::move(record->meta.headers);
  meta.parts_count = static_cast<std::uint32_t>(parts.size());
  const std::string json = encode_meta(meta);
  const auto footer = make_footer(json, meta.size);
  if (auto r = file->append_trailer(json); !r) {
    return r.error();
  }
  if (auto r = file->append_trailer(std::string_view(footer.data(), footer.size())); !r) {
    return r.error();
  }
  if (auto r = file->sync(); !r) {
    return r.error();
  }
  const fs_std::path target = object_path(bucket, key);
  bool fan_created = false;
  {
    std::lock_guard lock(state->mutex);
    if (state->deleted) {
      return errc::no_such_bucket;
    }
    const auto upload = state->uploads.find({std::string(key), std::string(upload_id)});
    if (upload == state->uploads.end()) {
      return errc::no_such_upload;  // aborted meanwhile
    }
    if (options.if_match || options.if_none_match) {
      const auto it = state->objects.find(key);
      const std::optional<std::string> current =
          it == state->objects.end() ? std::nullopt : std::optional<std::string>(it->second.etag);
      const auto outcome = evaluate_write_conditions(
          options.if_match ? std::optional<std::string_view>(*options.if_match) : std::nullopt,
          options.if_none_match ? std::optional<std::string_view>(*options.if_none_match)
                                : std::nullopt,
          current);
      if (outcome != condition_outcome::proceed) {
        return outcome == condition_outcome::no_such_key ? errc::no_such_key
                                                         : errc::precondition_failed;
      }
    }
    if (auto r = publish_locked(*file, target, true, fan_created); !r) {
      return r.error();
    }
    state->objects.insert_or_assign(meta.key,
                                    object_summary{meta.size, meta.etag, meta.last_modified});
    state->uploads.erase(upload);
  }
  if (fan_created) {
    sync_directory(*fs_, target.parent_path().parent_path());
  }
  auto synced = sync_directory(*fs_, target.parent_path());
  // The object is durable; the upload folder can go (a crash here leaves it to the sweep).
  remove_dir_atomically(dir);
  if (!synced) {
    return synced.error();
  }
  return object_info{meta.etag, meta.size, meta.last_modified};
}

result<void> object_store::abort_multipart_upload(std::string_view bucket, std::string_view key,
                                                  std::string_view upload_id) {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  const fs_std::path dir = upload_dir(bucket, upload_id);
  const fs_std::path grave = tmp_dir_ / ("rm-" + random_token(12));
  {
    std::lock_guard lock(state->mutex);
    const auto it = state->uploads.find({std::string(key), std::string(upload_id)});
    if (it == state->uploads.end()) {
      return errc::no_such_upload;
    }
    if (const int rc = fs_->rename(dir.c_str(), grave.c_str()); rc < 0) {
      return errc_from_errno(rc);
    }
    state->uploads.erase(it);
  }
  auto synced = sync_directory(*fs_, dir.parent_path());
  remove_tree(*fs_, grave);
  return synced;
}

result<list_uploads_page> object_store::list_multipart_uploads(
    std::string_view bucket, const list_uploads_params& params) const {
  auto state = find_bucket(bucket);
  if (!state) {
    return errc::no_such_bucket;
  }
  std::lock_guard lock(state->mutex);
  return list_uploads(state->uploads, params);
}

std::size_t object_store::sweep_expired_uploads(timestamp now) {
  const auto expiry =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.multipart_max_age);
  std::vector<std::pair<std::shared_ptr<bucket_state>, std::pair<std::string, std::string>>>
      expired;
  {
    std::shared_lock lock(buckets_mutex_);
    for (const auto& [name, state] : buckets_) {
      std::lock_guard bucket_lock(state->mutex);
      for (const auto& [id, initiated] : state->uploads) {
        if (initiated < expiry) {
          expired.emplace_back(state, id);
        }
      }
    }
  }
  std::size_t removed = 0;
  for (const auto& [state, id] : expired) {
    if (abort_multipart_upload(state->name, id.first, id.second)) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace onehop::store
