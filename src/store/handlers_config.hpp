#pragma once
// The front end's in-memory cache of each bucket's parsed configuration (CORS rules and bucket
// policy), so that requests with an Origin header and anonymous reads do not read and parse
// files on every request.
//
// Contract:
//   - get(bucket) returns the configuration as stored on disk at some moment no earlier than the
//     last invalidate(bucket) that returned before get() was called; it loads lazily (one small
//     file read per kind) on the first get() after an invalidation.
//   - The caller invalidates after every change it makes to a bucket's configuration on disk
//     (Put/Delete of CORS or policy, DeleteBucket, CreateBucket). A load that raced with an
//     invalidation is returned to its caller but never cached, so a change is seen by every
//     request that starts after invalidate() returns.
//   - A missing bucket, a missing document, or a document that no longer parses all read as "no
//     configuration" (nullopt); only the parsed documents of existing buckets are cached.
// Thread-safe: one instance serves every I/O thread; entries are immutable and shared, the map
// is guarded by a short lock never held during disk I/O.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/bucket_policy.hpp"
#include "store/cors.hpp"
#include "store/object_store.hpp"

namespace onehop::store {

struct parsed_bucket_config {
  std::optional<cors_configuration> cors;
  std::optional<bucket_policy> policy;
};

class bucket_config_cache {
 public:
  explicit bucket_config_cache(const object_store& store) : store_(store) {}

  std::shared_ptr<const parsed_bucket_config> get(std::string_view bucket);
  void invalidate(std::string_view bucket);

  // Loads from disk so far (tests: proves the cache is used).
  std::uint64_t loads() const;

 private:
  std::shared_ptr<const parsed_bucket_config> load(std::string_view bucket) const;

  const object_store& store_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const parsed_bucket_config>, std::less<>> entries_;
  // Bumped by every invalidate(): a load that started under an older generation is not cached.
  std::uint64_t generation_ = 0;
  std::uint64_t loads_ = 0;
};

}  // namespace onehop::store
