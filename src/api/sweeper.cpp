#include "api/sweeper.hpp"

#include "api/log.hpp"
#include "api/verification.hpp"

namespace onehop::api {
namespace {

constexpr std::chrono::seconds orphan_slack{60};

}  // namespace

sweeper::sweeper(api_components& parts) : parts_(parts) {}

boost::asio::awaitable<sweep_report> sweeper::sweep_once(std::chrono::sys_seconds now,
                                                         std::size_t max_scan) {
  sweep_report report;
  parts_.held.release_expired(now, parts_.quota);
  parts_.user_limiter.evict_idle(std::chrono::steady_clock::now());
  parts_.ip_limiter.evict_idle(std::chrono::steady_clock::now());

  // 1. Expired pending uploads, in batches.
  for (;;) {
    auto expired = parts_.db.expired_pending(now, 100);
    if (!expired) {
      log_event(log_level::warn, "sweep", "database: " + expired.error().message);
      ++report.failures;
      break;
    }
    if (expired->empty()) {
      break;
    }
    std::size_t removed_this_batch = 0;
    for (const auto& upload : *expired) {
      if (auto removed = co_await remove_stored(parts_.storage, upload); !removed) {
        ++report.failures;
        continue;
      }
      auto deleted = parts_.db.delete_pending(upload.user, upload.id);
      if (!deleted && deleted.error().code != db::errc::not_found) {
        ++report.failures;
        continue;
      }
      if (deleted) {
        parts_.quota.release(upload.user, upload.size);
      }
      ++removed_this_batch;
      ++report.expired_uploads;
      parts_.metrics.pending_swept();
    }
    if (removed_this_batch == 0) {
      break;  // storage is failing: try again next pass rather than spin
    }
  }

  const std::string prefix = parts_.config.policy.prefix + "/";
  // An object younger than a lifetime may still belong to a live upload; the slack covers clock
  // skew between this host and the storage.
  const auto cutoff = now - parts_.config.policy.pending_lifetime -
                      std::min(orphan_slack, parts_.config.policy.pending_lifetime);

  // 2a. Orphan objects.
  std::size_t scanned = 0;
  while (scanned < max_scan) {
    auto page = co_await parts_.storage.list_objects(prefix, continuation_);
    if (!page) {
      ++report.failures;
      break;
    }
    for (const auto& object : page->objects) {
      ++scanned;
      if (object.last_modified >= cutoff) {
        continue;
      }
      auto known = parts_.db.key_known(object.key);
      if (!known) {
        ++report.failures;
        continue;
      }
      if (*known) {
        continue;
      }
      if (auto deleted = co_await parts_.storage.delete_object(object.key); deleted) {
        ++report.orphan_objects;
        parts_.metrics.pending_swept();  // an upload whose state lived only in its token
      } else {
        ++report.failures;
      }
    }
    continuation_ = page->next_token;
    if (continuation_.empty()) {
      break;
    }
  }

  // 2b. Orphan multipart uploads.
  if (auto uploads = co_await parts_.storage.list_multipart_uploads(prefix); uploads) {
    for (const auto& upload : *uploads) {
      if (upload.initiated >= cutoff) {
        continue;
      }
      auto known = parts_.db.key_known(upload.key);
      if (!known || *known) {
        continue;
      }
      if (auto aborted = co_await parts_.storage.abort_multipart(upload.key, upload.upload_id);
          aborted) {
        ++report.orphan_multipart_uploads;
      } else {
        ++report.failures;
      }
    }
  } else {
    ++report.failures;
  }

  if (report.expired_uploads + report.orphan_objects + report.orphan_multipart_uploads +
          report.failures !=
      0) {
    log_event(log_level::info, "sweep",
              "expired uploads " + std::to_string(report.expired_uploads) + ", orphan objects " +
                  std::to_string(report.orphan_objects) + ", orphan multipart uploads " +
                  std::to_string(report.orphan_multipart_uploads) + ", failures " +
                  std::to_string(report.failures));
  }
  co_return report;
}

}  // namespace onehop::api
