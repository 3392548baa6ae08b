#pragma once
// `onehop upload`'s engine: uploads files through the API's protocol (docs/api.md) on one
// io_context thread, `file_concurrency` files at once and, for multipart uploads,
// `part_concurrency` parts of each at once; retries transient failures with jittered
// exponential backoff (honouring Retry-After) and re-requests expired signed URLs; reports
// progress to a `reporter`.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "s3client/retry.hpp"
#include "upload/progress.hpp"

namespace onehop::upload {

struct upload_options {
  std::string api;    // base URL, e.g. "http://127.0.0.1:8080"
  std::string token;  // bearer token; empty: none
  unsigned file_concurrency = 4;
  unsigned part_concurrency = 4;
  unsigned retries = 4;              // retries after the first attempt, per request
  s3client::retry_policy backoff{};  // max_attempts is taken from `retries`
};

struct file_result {
  std::string path;
  bool ok = false;
  std::string image_id;
  std::string content_type;
  std::uint64_t bytes = 0;
  double seconds = 0;
  std::string reason;  // when !ok
};

// What the engine tells its caller as files move along. Called on the io_context thread.
struct reporter {
  std::function<void(std::size_t index, const progress_view&)> started;  // upload begins
  std::function<void(std::size_t index, const file_result&)> finished;
};

class uploader {
 public:
  uploader(boost::asio::io_context& io, upload_options options, std::vector<std::string> paths,
           reporter report);
  ~uploader();

  // Spawns the uploads on `io`; `on_done` runs (on the io_context) once every file finished.
  void start(std::function<void()> on_done);
  // Ctrl-C: stops starting work, ends exchanges in flight, DELETEs the uploads already created.
  void abort();

  bool aborted() const;
  const std::vector<file_result>& results() const;
  // The current view of every file (for progress bars).
  std::vector<progress_view> views() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace onehop::upload
