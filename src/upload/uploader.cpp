#include "upload/uploader.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <random>
#include <utility>

#include "s3client/retry.hpp"
#include "upload/content_type.hpp"
#include "upload/http_client.hpp"
#include "upload/local_file.hpp"
#include "upload/retry_decision.hpp"
#include "upload/wire.hpp"

namespace onehop::upload {

namespace asio = boost::asio;
using bverb = boost::beast::http::verb;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// The API signs at most this many part URLs per call (docs/api.md).
constexpr std::uint32_t max_parts_per_call = 100;
// Waits are sliced so that Ctrl-C ends them promptly.
constexpr std::chrono::milliseconds sleep_slice{100};
// Hashing runs off the I/O thread so progress keeps moving while a big file is read.
constexpr std::size_t hash_threads = 2;
constexpr std::string_view form_boundary = "----onehop-upload-7d1f0b9c2e5a4f38";

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A browser-style multipart/form-data body around the file: every field, then `file` last.
std::pair<std::string, std::string> form_parts(const header_list& fields, std::string_view filename,
                                               std::string_view content_type) {
  std::string prefix;
  for (const auto& [name, value] : fields) {
    prefix += "--";
    prefix += form_boundary;
    prefix += "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  std::string safe_name;
  for (char c : filename) {
    safe_name += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  }
  prefix += "--";
  prefix += form_boundary;
  prefix += "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + safe_name +
            "\"\r\nContent-Type: " + std::string(content_type) + "\r\n\r\n";
  std::string suffix = "\r\n--" + std::string(form_boundary) + "--\r\n";
  return {std::move(prefix), std::move(suffix)};
}

}  // namespace

struct file_job {
  std::string path;
  progress_view view;
  file_result result;
  clock_type::time_point started{};
  clock_type::time_point sending_since{};
  std::string upload_id;  // once created, until completed or deleted
  bool finished = false;
};

// The outcome of one request after its retries.
struct call_outcome {
  bool ok = false;
  bool refresh = false;  // a storage URL expired
  http_response response;
  std::string reason;  // when neither ok nor refresh
};

struct multipart_state {
  file_job& job;
  const local_file& file;
  const create_answer& answer;
  std::vector<std::optional<part_url>> urls;  // index = part number
  std::vector<std::string> etags;             // index = part number
  std::uint32_t next_part = 1;
  std::optional<std::string> failure;
};

struct uploader::impl {
  asio::io_context& io;
  upload_options options;
  std::vector<file_job> jobs;
  reporter report;
  http_client client{http_client::settings{}};
  std::mt19937_64 rng{std::random_device{}()};
  asio::thread_pool hash_pool{hash_threads};
  bool aborted = false;
  std::size_t next_file = 0;
  std::vector<file_result> results;

  impl(asio::io_context& io_, upload_options o, std::vector<std::string> paths, reporter r)
      : io(io_), options(std::move(o)), report(std::move(r)) {
    options.backoff.max_attempts = options.retries + 1;
    while (!options.api.empty() && options.api.back() == '/') {
      options.api.pop_back();
    }
    for (auto& p : paths) {
      file_job j;
      j.view.name = base_name(p);
      j.result.path = p;
      j.path = std::move(p);
      jobs.push_back(std::move(j));
    }
  }

  ~impl() { hash_pool.join(); }

  header_list api_headers() const {
    header_list h{{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!options.token.empty()) {
      h.emplace_back("Authorization", "Bearer " + options.token);
    }
    return h;
  }

  http_request api_request(bverb method, std::string path, std::string body) const {
    http_request r;
    r.method = method;
    r.url = options.api + path;
    r.headers = api_headers();
    r.body = std::move(body);
    return r;
  }

  static std::string upload_path(const std::string& id, std::string_view tail = {}) {
    return "/api/uploads/" + encode_path_segment(id) + std::string(tail);
  }

  asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto until = clock_type::now() + d;
    while (!aborted && clock_type::now() < until) {
      timer.expires_after(std::min<clock_type::duration>(sleep_slice, until - clock_type::now()));
      co_await timer.async_wait(use_tuple);
    }
  }

  // Sends `r` until it succeeds, needs fresh URLs, fails for good or runs out of attempts.
  // `restart` undoes a failed attempt's progress before the next one.
  asio::awaitable<call_outcome> call(const http_request& r, bool to_storage,
                                     const std::function<void(std::uint64_t)>& progress = {},
                                     const std::function<void()>& restart = {}) {
    call_outcome out;
    for (unsigned attempt = 1;; ++attempt) {
      out.response = co_await client.send(r, progress);
      if (aborted) {
        out.reason = "aborted";
        co_return out;
      }
      const auto& res = out.response;
      switch (decide(res.status, res.body, to_storage, attempt, options.backoff.max_attempts)) {
        case next_step::done:
          out.ok = true;
          co_return out;
        case next_step::refresh_urls:
          out.refresh = true;
          co_return out;
        case next_step::give_up:
          out.reason = res.status != 0 ? failure_reason(res.status, res.body) : res.error;
          if (attempt > 1) {
            out.reason += " (after " + std::to_string(attempt) + " attempts)";
          }
          co_return out;
        case next_step::retry:
          break;
      }
      std::optional<std::chrono::milliseconds> retry_after;
      if (res.retry_after) {
        retry_after = s3client::parse_retry_after(
            *res.retry_after,
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
      }
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      if (restart) {
        restart();
      }
      co_await sleep(s3client::backoff_delay(options.backoff, attempt, unit(rng), retry_after));
      if (aborted) {
        out.reason = "aborted";
        co_return out;
      }
    }
  }

  // Best effort: an upload that will not be completed is aborted so the storage frees it now
  // rather than when the sweeper finds it. One attempt; its failure changes nothing.
  asio::awaitable<void> delete_upload(file_job& job) {
    if (job.upload_id.empty()) {
      co_return;
    }
    auto r = api_request(bverb::delete_, upload_path(job.upload_id), {});
    job.upload_id.clear();
    (void)co_await client.send(r);
  }

  void finish(std::size_t index, bool ok, std::string reason) {
    auto& job = jobs[index];
    job.finished = true;
    job.result.ok = ok;
    job.result.seconds = seconds_since(job.started);
    job.result.bytes = job.view.total_bytes;
    if (ok) {
      job.view.state = file_state::done;
      job.view.done_bytes = job.view.total_bytes;
    } else {
      job.view.state = file_state::failed;
      job.view.reason = reason;
      job.result.reason = std::move(reason);
    }
    if (report.finished) {
      report.finished(index, job.result);
    }
  }

  asio::awaitable<void> ensure_part_urls(multipart_state& s, std::uint32_t from, bool force,
                                         std::optional<std::string>& error) {
    if (s.urls[from] && !force) {
      co_return;
    }
    std::vector<std::uint32_t> numbers;
    for (std::uint32_t n = from; n <= s.answer.part_count && numbers.size() < max_parts_per_call;
         ++n) {
      if (n == from || (!s.urls[n] && s.etags[n].empty())) {
        numbers.push_back(n);
      }
    }
    auto r = api_request(bverb::post, upload_path(s.answer.upload_id, "/parts"),
                         render_parts_request(numbers));
    auto out = co_await call(r, false);
    if (!out.ok) {
      error = "signing parts: " + out.reason;
      co_return;
    }
    auto parts = parse_parts_answer(out.response.body);
    if (!parts) {
      error = parts.error().message;
      co_return;
    }
    for (auto& p : *parts) {
      if (p.part_number >= 1 && p.part_number <= s.answer.part_count) {
        s.urls[p.part_number] = std::move(p);
      }
    }
    if (!s.urls[from]) {
      error = "parts answer: no URL for part " + std::to_string(from);
    }
  }

  asio::awaitable<void> part_worker(multipart_state& s) {
    const std::uint64_t size = s.file.size();
    while (!s.failure && !aborted && s.next_part <= s.answer.part_count) {
      const std::uint32_t n = s.next_part++;
      const std::uint64_t offset = static_cast<std::uint64_t>(n - 1) * s.answer.part_size;
      const std::uint64_t length = std::min(s.answer.part_size, size - std::min(size, offset));
      bool force = false;
      for (unsigned refreshes = 0;; ++refreshes) {
        std::optional<std::string> error;
        co_await ensure_part_urls(s, n, force, error);
        if (error || s.failure || aborted) {
          if (error && !s.failure) {
            s.failure = *error;
          }
          co_return;
        }
        http_request r;
        r.method = bverb::put;
        r.url = s.urls[n]->url;
        r.headers = s.urls[n]->headers;
        r.file = file_range{&s.file, offset, length};
        std::uint64_t sent = 0;
        auto& view = s.job.view;
        auto out = co_await call(
            r, true,
            [&](std::uint64_t b) {
              sent += b;
              view.done_bytes += b;
            },
            [&] {
              view.done_bytes -= sent;
              sent = 0;
            });
        if (out.refresh && refreshes < options.retries) {
          view.done_bytes -= sent;
          force = true;
          continue;
        }
        if (!out.ok) {
          if (!s.failure) {
            s.failure = "part " + std::to_string(n) + ": " +
                        (out.refresh ? "signed URL expired" : out.reason);
          }
          co_return;
        }
        if (out.response.etag.empty()) {
          s.failure = "part " + std::to_string(n) + ": the storage sent no ETag";
          co_return;
        }
        s.etags[n] = std::move(out.response.etag);
        s.urls[n].reset();
        break;
      }
    }
  }

  // Runs `count` copies of `worker` and returns when all have ended.
  template <class Make>
  asio::awaitable<void> join_all(unsigned count, Make make) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, clock_type::time_point::max());
    unsigned left = count;
    std::exception_ptr first_error;
    for (unsigned i = 0; i < count; ++i) {
      asio::co_spawn(executor, make(), [&](std::exception_ptr e) {
        if (e && !first_error) {
          first_error = e;
        }
        if (--left == 0) {
          all_done.cancel();
        }
      });
    }
    while (left > 0) {
      co_await all_done.async_wait(use_tuple);
    }
    if (first_error) {
      std::rethrow_exception(first_error);
    }
  }

  // Sends a multipart upload's parts; the parts to complete with, or the failure.
  asio::awaitable<std::optional<std::string>> send_parts(file_job& job, const local_file& file,
                                                         const create_answer& a,
                                                         std::vector<completed_part>& parts) {
    multipart_state s{job, file, a, {}, {}, 1, std::nullopt};
    s.urls.resize(a.part_count + 1);
    s.etags.resize(a.part_count + 1);
    if (static_cast<std::uint64_t>(a.part_count) * a.part_size < file.size() ||
        static_cast<std::uint64_t>(a.part_count - 1) * a.part_size >= file.size()) {
      co_return std::string("upload answer: ") + std::to_string(a.part_count) + " parts of " +
          std::to_string(a.part_size) + " bytes do not fit the file";
    }
    const unsigned workers = std::max(1U, std::min(options.part_concurrency, a.part_count));
    co_await join_all(workers, [&] { return part_worker(s); });
    if (aborted) {
      co_return std::string("aborted");
    }
    if (s.failure) {
      co_return s.failure;
    }
    for (std::uint32_t n = 1; n <= a.part_count; ++n) {
      parts.push_back({n, s.etags[n]});
    }
    co_return std::nullopt;
  }

  asio::awaitable<void> upload_file(std::size_t index) {
    auto& job = jobs[index];
    job.started = clock_type::now();
    auto opened = local_file::open(job.path);
    if (!opened) {
      finish(index, false, opened.error().message);
      co_return;
    }
    const local_file file = std::move(*opened);
    job.view.total_bytes = file.size();
    std::array<std::uint8_t, sniff_bytes> head{};
    auto got = file.read_at(0, head);
    if (!got) {
      finish(index, false, got.error().message);
      co_return;
    }
    const std::string content_type =
        detect_content_type(std::span(head.data(), *got), job.view.name);
    job.result.content_type = content_type;
    job.view.state = file_state::hashing;
    if (report.started) {
      report.started(index, job.view);
    }

    auto sha = co_await asio::co_spawn(
        hash_pool,
        [&file]() -> asio::awaitable<std::pair<bool, std::string>> {
          auto r = file.sha256_base64();
          co_return r ? std::pair{true, *r} : std::pair{false, r.error().message};
        },
        asio::use_awaitable);
    if (aborted) {
      finish(index, false, "aborted");
      co_return;
    }
    if (!sha.first) {
      finish(index, false, sha.second);
      co_return;
    }

    for (unsigned round = 0;; ++round) {
      job.view.state = file_state::uploading;
      job.view.done_bytes = 0;
      auto create = co_await call(
          api_request(bverb::post, "/api/uploads",
                      render_create_request(job.view.name, content_type, file.size(), sha.second)),
          false);
      if (!create.ok) {
        finish(index, false, create.reason);
        co_return;
      }
      auto answer = parse_create_answer(create.response.body);
      if (!answer) {
        finish(index, false, answer.error().message);
        co_return;
      }
      job.upload_id = answer->upload_id;
      job.sending_since = clock_type::now();

      std::vector<completed_part> parts;
      std::optional<std::string> failure;
      bool expired = false;
      if (answer->method == upload_method::multipart) {
        failure = co_await send_parts(job, file, *answer, parts);
      } else {
        http_request r;
        r.url = answer->url;
        r.file = file_range{&file, 0, file.size()};
        if (answer->method == upload_method::put) {
          r.method = bverb::put;
          r.headers = answer->headers;
        } else {
          r.method = bverb::post;
          std::tie(r.body, r.body_suffix) = form_parts(answer->fields, job.view.name, content_type);
          r.headers = {
              {"Content-Type", "multipart/form-data; boundary=" + std::string(form_boundary)}};
        }
        auto put = co_await call(
            r, true, [&](std::uint64_t b) { job.view.done_bytes += b; },
            [&] { job.view.done_bytes = 0; });
        expired = put.refresh;
        if (!put.ok && !put.refresh) {
          failure = put.reason;
        }
      }
      if (expired) {
        // A single URL cannot be re-signed: start over with a new upload.
        co_await delete_upload(job);
        if (round < options.retries && !aborted) {
          continue;
        }
        failure = "the signed upload URL expired";
      }
      if (failure) {
        co_await delete_upload(job);
        finish(index, false, *failure);
        co_return;
      }

      job.view.state = file_state::completing;
      auto complete =
          co_await call(api_request(bverb::post, upload_path(answer->upload_id, "/complete"),
                                    render_complete_request(parts)),
                        false);
      if (!complete.ok) {
        co_await delete_upload(job);
        finish(index, false, complete.reason);
        co_return;
      }
      job.upload_id.clear();
      auto image = parse_complete_answer(complete.response.body);
      if (!image) {
        finish(index, false, image.error().message);
        co_return;
      }
      job.result.image_id = std::move(*image);
      finish(index, true, {});
      co_return;
    }
  }

  asio::awaitable<void> file_worker() {
    while (next_file < jobs.size()) {
      const std::size_t index = next_file++;
      if (aborted) {
        finish(index, false, "aborted");
        continue;
      }
      co_await upload_file(index);
    }
  }
};

uploader::uploader(asio::io_context& io, upload_options options, std::vector<std::string> paths,
                   reporter report)
    : impl_(std::make_unique<impl>(io, std::move(options), std::move(paths), std::move(report))) {}

uploader::~uploader() = default;

void uploader::start(std::function<void()> on_done) {
  auto* self = impl_.get();
  const unsigned workers = static_cast<unsigned>(std::max<std::size_t>(
      1, std::min<std::size_t>(self->options.file_concurrency, self->jobs.size())));
  asio::co_spawn(
      self->io,
      [](impl* s, unsigned n) -> asio::awaitable<void> {
        co_await s->join_all(n, [s] { return s->file_worker(); });
      }(self, workers),
      [on_done = std::move(on_done)](std::exception_ptr e) {
        if (e) {
          std::rethrow_exception(e);
        }
        on_done();
      });
}

void uploader::abort() {
  impl_->aborted = true;
  impl_->client.abort_all();
}

bool uploader::aborted() const {
  return impl_->aborted;
}

const std::vector<file_result>& uploader::results() const {
  impl_->results.clear();
  for (const auto& j : impl_->jobs) {
    impl_->results.push_back(j.result);
  }
  return impl_->results;
}

std::vector<progress_view> uploader::views() const {
  std::vector<progress_view> out;
  out.reserve(impl_->jobs.size());
  for (const auto& j : impl_->jobs) {
    progress_view v = j.view;
    if (v.state == file_state::uploading && j.sending_since != clock_type::time_point{}) {
      const double s = seconds_since(j.sending_since);
      v.bytes_per_second = s > 0.2 ? static_cast<double>(v.done_bytes) / s : 0;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace onehop::upload
