// `onehop upload`: the I/O edge of the CLI client. Reads flags and the environment, runs the
// upload engine (src/upload/uploader.hpp) on one io_context, and prints: progress bars redrawn in
// place when stdout is a terminal, plain start/end lines otherwise, JSON lines with --json.

#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "upload/http_client.hpp"
#include "upload/progress.hpp"
#include "upload/uploader.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "upload";
constexpr int exit_interrupted = 130;  // 128 + SIGINT, as shells report it
constexpr std::chrono::milliseconds redraw_interval{200};
constexpr std::size_t default_columns = 80;
constexpr unsigned max_concurrency = 64;
constexpr unsigned max_retries = 20;

struct upload_flags {
  std::vector<std::string> files;
  std::string api;
  std::optional<std::string> token;
  unsigned concurrency = 4;
  unsigned part_concurrency = 4;
  unsigned retries = 4;
  bool quiet = false;
  bool json = false;
};

[[noreturn]] void usage_error(std::string_view message) {
  fail(command_name, message, exit_usage);
}

std::size_t terminal_columns() {
  winsize w{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) {
    return w.ws_col;
  }
  return default_columns;
}

void write_out(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void write_err(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string json_line(const upload::file_result& r) {
  boost::json::object o;
  o["file"] = r.path;
  o["ok"] = r.ok;
  if (r.ok) {
    o["imageId"] = r.image_id;
  } else {
    o["error"] = r.reason;
  }
  o["contentType"] = r.content_type;
  o["size"] = r.bytes;
  o["seconds"] = r.seconds;
  return boost::json::serialize(o) + "\n";
}

// How the run is shown. Exactly one of the modes is active.
enum class display { bars, lines, json, quiet };

class console {
 public:
  console(display mode, boost::asio::io_context& io) : mode_(mode), timer_(io) {}

  void attach(upload::uploader& u) { uploader_ = &u; }

  void started(std::size_t, const upload::progress_view& v) {
    if (mode_ == display::lines) {
      write_out(upload::render_start_line(v.name, v.total_bytes) + "\n");
    }
  }

  void finished(std::size_t, const upload::file_result& r) {
    switch (mode_) {
      case display::json:
        write_out(json_line(r));
        break;
      case display::lines:
        if (r.ok) {
          upload::progress_view v;
          v.name = name_of(r.path);
          v.state = upload::file_state::done;
          v.total_bytes = r.bytes;
          write_out(upload::render_end_line(v, r.seconds) + "\n");
        }
        break;
      case display::bars:
      case display::quiet:
        break;
    }
    // Failures go to stderr in every mode (the bars also show them in place).
    if (!r.ok && mode_ != display::bars) {
      write_err("failed " + r.path + ": " + r.reason + "\n");
    }
  }

  void start_redraws() {
    if (mode_ != display::bars) {
      return;
    }
    redraw();
    schedule();
  }

  // The last frame, then the failures again on stderr so they survive the scrollback.
  void stop(const std::vector<upload::file_result>& results) {
    timer_.cancel();
    stopped_ = true;
    if (mode_ == display::bars) {
      redraw();
      for (const auto& r : results) {
        if (!r.ok) {
          write_err("failed " + r.path + ": " + r.reason + "\n");
        }
      }
    }
  }

 private:
  static std::string name_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  void schedule() {
    timer_.expires_after(redraw_interval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) {
        return;
      }
      redraw();
      schedule();
    });
  }

  void redraw() {
    std::vector<std::string> lines;
    const std::size_t width = terminal_columns() - 1;  // the last column would wrap on some
    for (const auto& v : uploader_->views()) {
      lines.push_back(upload::render_bar(v, width));
    }
    write_out(upload::render_redraw(lines, drawn_));
    drawn_ = lines.size();
  }

  display mode_;
  boost::asio::steady_timer timer_;
  upload::uploader* uploader_ = nullptr;
  std::size_t drawn_ = 0;
  bool stopped_ = false;
};

void run_upload(const upload_flags& flags) {
  if (flags.files.empty()) {
    usage_error("no FILE given");
  }
  auto api = upload::parse_http_url(flags.api);
  if (!api) {
    usage_error("--api: " + api.error().message);
  }
  if (flags.concurrency < 1 || flags.concurrency > max_concurrency || flags.part_concurrency < 1 ||
      flags.part_concurrency > max_concurrency) {
    usage_error("--concurrency and --part-concurrency must be 1.." +
                std::to_string(max_concurrency));
  }
  if (flags.retries > max_retries) {
    usage_error("--retries must be 0.." + std::to_string(max_retries));
  }

  upload::upload_options options;
  options.api = flags.api;
  if (flags.token) {
    options.token = *flags.token;
  } else if (const char* env = std::getenv("ONEHOP_TOKEN"); env != nullptr) {
    options.token = env;
  }
  options.file_concurrency = flags.concurrency;
  options.part_concurrency = flags.part_concurrency;
  options.retries = flags.retries;
  options.backoff.base = std::chrono::milliseconds(500);
  options.backoff.cap = std::chrono::seconds(20);
  options.backoff.max_retry_after = std::chrono::seconds(60);

  display mode = display::lines;
  if (flags.json) {
    mode = display::json;
  } else if (flags.quiet) {
    mode = display::quiet;
  } else if (::isatty(STDOUT_FILENO) == 1) {
    mode = display::bars;
  }

  // A peer that closes mid-body must be an error on that write, not a fatal SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io;
  console out(mode, io);
  upload::reporter report;
  report.started = [&out](std::size_t i, const upload::progress_view& v) { out.started(i, v); };
  report.finished = [&out](std::size_t i, const upload::file_result& r) { out.finished(i, r); };
  upload::uploader engine(io, options, flags.files, report);
  out.attach(engine);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int interrupts = 0;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int) {
      if (ec) {
        return;
      }
      if (++interrupts > 1) {
        // A second Ctrl-C while the in-flight uploads are being aborted: stop now.
        std::_Exit(exit_interrupted);
      }
      engine.abort();
      wait_signal();
    });
  };
  wait_signal();

  const auto began = std::chrono::steady_clock::now();
  engine.start([&] {
    signals.cancel();
    io.stop();
  });
  out.start_redraws();
  io.run();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  const auto& results = engine.results();
  out.stop(results);
  std::size_t uploaded = 0;
  std::uint64_t bytes = 0;
  for (const auto& r : results) {
    if (r.ok) {
      ++uploaded;
      bytes += r.bytes;
    }
  }
  const std::size_t failed = results.size() - uploaded;
  const std::string summary = upload::render_summary(uploaded, failed, bytes, seconds) + "\n";
  if (mode == display::json) {
    write_err(summary);
  } else if (mode != display::quiet) {
    write_out(summary);
  }
  if (engine.aborted()) {
    throw CLI::RuntimeError(exit_interrupted);
  }
  if (failed > 0) {
    throw CLI::RuntimeError(exit_failure);
  }
}

constexpr const char* upload_footer =
    R"(The token comes from --token, else the ONEHOP_TOKEN environment variable
(a JWT or an API key; `onehop dev` prints a dev token when it starts).

Each file's Content-Type comes from its first bytes (JPEG, PNG, GIF, WebP, AVIF), else from its
extension; its SHA-256 is sent so the storage checks the body. Files above the API's multipart
threshold are sent in parts, --part-concurrency at a time. Connection errors, 5xx and 429 are
retried with exponential backoff and jitter (Retry-After honoured); an expired signed URL is
signed again.

Output: one progress bar per file when stdout is a terminal, else a line when each file starts
and ends; --json prints one JSON object per file instead; failures (with the API's message or the
storage's error code) go to stderr. A summary line ends the run.

Exit status: 0 when every file was uploaded, 1 when any failed, 2 for bad flags,
130 when interrupted (Ctrl-C aborts the uploads in flight).
)";

}  // namespace

void add_upload_command(CLI::App& app) {
  auto flags = std::make_shared<upload_flags>();
  CLI::App* cmd = app.add_subcommand(
      "upload", "Upload files through the upload API, straight to the storage, with progress");
  cmd->footer(upload_footer);
  cmd->add_option("FILE", flags->files, "Files to upload")->required()->type_name("FILE...");
  cmd->add_option("--api", flags->api, "The API's base URL, e.g. http://127.0.0.1:8080")
      ->required()
      ->type_name("URL");
  cmd->add_option("--token", flags->token, "Bearer token (default: $ONEHOP_TOKEN)")
      ->type_name("TOKEN");
  cmd->add_option("--concurrency", flags->concurrency, "Files uploaded at once (default 4)")
      ->type_name("N");
  cmd->add_option("--part-concurrency", flags->part_concurrency,
                  "Parts of one multipart file sent at once (default 4)")
      ->type_name("N");
  cmd->add_option("--retries", flags->retries,
                  "Retries of each failed request, with backoff (default 4)")
      ->type_name("N");
  auto* quiet = cmd->add_flag("--quiet,-q", flags->quiet, "No progress, no summary: only failures");
  auto* json = cmd->add_flag("--json", flags->json,
                             "One JSON object per file result on stdout (summary on stderr)");
  quiet->excludes(json);
  cmd->callback([flags] { run_upload(*flags); });
}

}  // namespace onehop::cli
