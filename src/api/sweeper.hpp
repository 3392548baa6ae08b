#pragma once
// Removes what uploads that were never completed leave behind, so storage and quotas do not leak:
//   1. pending uploads past their lifetime: the object or multipart upload goes, then the record,
//      then the quota they reserved;
//   2. orphans under the key prefix, older than a pending lifetime (plus up to a minute of slack
//      for clock skew) and known to no record: objects of single PUT/POST uploads never completed
//      (their pending state lived only in the signed upload id), objects whose record was lost in
//      a crash (records are group-committed), and multipart uploads whose create was never
//      recorded.
// Runs at start and then every sweep_interval, on its own thread: its database calls block that
// thread, never an I/O thread.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "api/handler.hpp"

namespace onehop::api {

struct sweep_report {
  std::uint64_t expired_uploads = 0;
  std::uint64_t orphan_objects = 0;
  std::uint64_t orphan_multipart_uploads = 0;
  std::uint64_t failures = 0;  // storage or database errors; retried on the next pass
};

class sweeper {
 public:
  explicit sweeper(api_components& parts);

  // One pass. Orphan objects are scanned at most `max_scan` keys per pass, resuming where the
  // previous pass stopped.
  boost::asio::awaitable<sweep_report> sweep_once(std::chrono::sys_seconds now,
                                                  std::size_t max_scan = 10000);

 private:
  api_components& parts_;
  std::string continuation_;
};

}  // namespace onehop::api
