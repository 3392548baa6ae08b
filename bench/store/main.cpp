// bench_store: the load generator behind bench/store/run.sh.
//
//   bench_store http --endpoint http://127.0.0.1:PORT --bucket NAME --op put|get --size BYTES
//                    --concurrency N [--duration S] [--warmup S] [--max-requests N]
//                    [--server LABEL] [--pid PID]... [--region R] [--client-threads T]
//   bench_store disk --dir DIR --size BYTES --concurrency N [--duration S] [--warmup S]
//
// `http`: N keep-alive connections, path-style requests signed with onehop's own signer
// (Authorization header, UNSIGNED-PAYLOAD; credentials from BENCH_ACCESS_KEY and
// BENCH_SECRET_KEY). PUT: one blocking thread per connection. GET: the connections run
// non-blocking in --client-threads epoll loops (default 1), bodies received into one small
// buffer per thread and dropped, so that one client core outruns the server (--blocking-get:
// one blocking thread per connection, recv into a 1 MiB buffer each, as PUT). PUT cycles each
// worker over `keys_per_worker` keys so disk use stays bounded; GET first uploads one object per
// worker, then reads it back (a cached object). Bodies come from one random buffer made at start.
// The peak RSS of the server processes (--pid, summed) is reset through /proc/PID/clear_refs before
// the warm-up and read from VmHWM at the end.
//
// `disk`: the ceiling for a durable PUT: N threads each write SIZE bytes to a temp file,
// fdatasync, close, rename over one of `keys_per_worker` names and fsync the folder.
//
// Prints one line: server op size concurrency MiB/s objects/s p50_ms p99_ms rss_MiB requests
// errors MiB_per_server_cpu_second (0 without --pid). Exit status 0 when there were no errors,
// 1 when some request failed, 2 on bad usage.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sigv4/signer.hpp"
#include "stats.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using onehop::bench::worker_sample;

constexpr std::uint64_t keys_per_worker = 32;
constexpr std::size_t scratch_size = 1024 * 1024;
constexpr std::uint64_t default_max_requests = 1'000'000;
constexpr std::uint64_t max_reported_errors = 3;
constexpr std::chrono::seconds hard_stop_floor{30};

struct options {
  std::string mode;
  std::string endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  std::string op = "put";
  std::string server = "server";
  std::string dir;
  std::uint64_t size = 1024 * 1024;
  unsigned concurrency = 1;
  double duration = 5;
  double warmup = 1;
  std::uint64_t max_requests = default_max_requests;  // per worker, bounds every loop
  std::uint64_t min_requests = 2;  // measured per worker, unless the hard time cap comes first
  unsigned client_threads = 1;     // GET: epoll threads sharing the connections
  bool blocking_get = false;       // GET with the PUT path's thread per connection instead
  std::vector<int> pids;
};

// The measured window of one worker; requests that start before `measure_from` are warm-up.
struct recorder {
  clock_type::time_point measure_from;
  clock_type::time_point first_start{};
  clock_type::time_point last_end{};
  worker_sample sample;

  void add(clock_type::time_point start, clock_type::time_point end, std::uint64_t bytes) {
    if (start < measure_from) {
      return;
    }
    if (sample.requests == 0) {
      first_start = start;
    }
    last_end = end;
    sample.requests += 1;
    sample.bytes += bytes;
    sample.latencies.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    sample.window_seconds = std::chrono::duration<double>(last_end - first_start).count();
  }
};

class error_log {
 public:
  void report(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (++count_ <= max_reported_errors) {
      std::fprintf(stderr, "bench_store: %s\n", what.c_str());
    }
  }
  std::uint64_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t count_ = 0;
};

std::string random_payload(std::uint64_t size) {
  std::string out(size, '\0');
  std::mt19937_64 rng(0x6f6e65686f70ULL);  // fixed seed: the same bytes every run
  for (std::size_t i = 0; i + 8 <= out.size(); i += 8) {
    std::uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

// One keep-alive HTTP/1.1 connection, reconnected after any failure.
class s3_client {
 public:
  s3_client(const options& opt, onehop::sigv4::signer_config config, tcp::endpoint target)
      : opt_(opt),
        presigner_(std::move(config)),
        target_(target),
        socket_(ioc_),
        scratch_(scratch_size) {}

  // PUT `body` at `key`; returns an error description, empty on success.
  std::string put(const std::string& key, std::string_view body) {
    return request(http::verb::put, key, body, nullptr);
  }

  // GET `key`; `received` gets the body size.
  std::string get(const std::string& key, std::uint64_t& received) {
    return request(http::verb::get, key, {}, &received);
  }

 private:
  std::string request(http::verb verb, const std::string& key, std::string_view body,
                      std::uint64_t* received) {
    onehop::sigv4::sign_request sr;
    sr.method = verb == http::verb::put ? "PUT" : "GET";
    sr.bucket = opt_.bucket;
    sr.key = key;
    sr.payload_hash = onehop::sigv4::unsigned_payload;
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (auto signed_ok = presigner_.sign(auth_, sr, now); !signed_ok) {
      return "sign: " + signed_ok.error().message();
    }
    beast::error_code ec;
    if (!socket_.is_open()) {
      socket_.connect(target_, ec);
      if (ec) {
        return fail("connect: " + ec.message());
      }
      socket_.set_option(tcp::no_delay(true), ec);
      buffer_.clear();
    }
    http::request<http::empty_body> req{verb, auth_.target, 11};
    req.set(http::field::host, auth_.host);
    req.set("x-amz-date", auth_.amz_date);
    req.set("x-amz-content-sha256", auth_.content_sha256);
    req.set(http::field::authorization, auth_.authorization);
    if (verb == http::verb::put) {
      req.content_length(body.size());
    }
    req.keep_alive(true);
    http::request_serializer<http::empty_body> serializer{req};
    http::write_header(socket_, serializer, ec);
    if (!ec && !body.empty()) {
      net::write(socket_, net::buffer(body.data(), body.size()), ec);
    }
    if (ec) {
      return fail("write: " + ec.message());
    }

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(opt_.size + scratch_size);
    http::read_header(socket_, buffer_, parser, ec);
    if (ec) {
      return fail("read header: " + ec.message());
    }
    std::uint64_t got = 0;
    std::string error_body;
    const bool ok_status = parser.get().result_int() / 100 == 2;
    if (ok_status && !parser.is_done() && parser.content_length() && !parser.chunked()) {
      // Fast path for a 2xx body of known length: read it straight from the socket into the
      // scratch buffer (no copy through the parser), so the client core is not what limits GET.
      const std::uint64_t length = *parser.content_length();
      got = std::min<std::uint64_t>(buffer_.size(), length);
      buffer_.consume(static_cast<std::size_t>(got));
      while (got < length) {
        const auto want = static_cast<std::size_t>(
            std::min<std::uint64_t>(length - got, static_cast<std::uint64_t>(scratch_.size())));
        const std::size_t n = socket_.read_some(net::buffer(scratch_.data(), want), ec);
        if (ec) {
          return fail("read body: " + ec.message());
        }
        got += n;
      }
      if (!parser.keep_alive()) {
        socket_.close(ec);
      }
      if (received != nullptr) {
        *received = got;
      }
      return {};
    }
    while (!parser.is_done()) {
      parser.get().body().data = scratch_.data();
      parser.get().body().size = scratch_.size();
      http::read(socket_, buffer_, parser, ec);
      if (ec == http::error::need_buffer) {
        ec = {};
      }
      if (ec) {
        return fail("read body: " + ec.message());
      }
      const std::size_t n = scratch_.size() - parser.get().body().size;
      if (!ok_status && error_body.size() < 512) {
        error_body.append(scratch_.data(), std::min<std::size_t>(n, 512));
      }
      got += n;
    }
    if (!parser.keep_alive()) {
      socket_.close(ec);
    }
    if (!ok_status) {
      return std::string(sr.method) + " " + key + ": HTTP " +
             std::to_string(parser.get().result_int()) + " " + error_body;
    }
    if (received != nullptr) {
      *received = got;
    }
    return {};
  }

  std::string fail(std::string what) {
    beast::error_code ignored;
    socket_.close(ignored);
    return what;
  }

  const options& opt_;
  onehop::sigv4::presigner presigner_;
  onehop::sigv4::header_auth auth_;
  tcp::endpoint target_;
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::vector<char> scratch_;
};

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

void reset_peak_rss(const std::vector<int>& pids) {
  for (int pid : pids) {
    // "5" resets VmHWM to the current RSS (proc(5)); without permission the peak stays cumulative.
    std::ofstream f("/proc/" + std::to_string(pid) + "/clear_refs");
    f << "5";
  }
}

double peak_rss_mib(const std::vector<int>& pids) {
  double kib = 0;
  for (int pid : pids) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("VmHWM:", 0) == 0) {
        kib += std::strtod(line.c_str() + 6, nullptr);
      }
    }
  }
  return kib / 1024.0;
}

struct run_times {
  clock_type::time_point measure_from;
  clock_type::time_point stop_at;
  // A large object on a slow server can take longer than the whole window: workers keep going
  // past stop_at until they have min_requests measured, but never past hard_stop.
  clock_type::time_point hard_stop;

  bool keep_going(const recorder& r, std::uint64_t min_requests) const {
    const auto now = clock_type::now();
    return now < hard_stop && (now < stop_at || r.sample.requests < min_requests);
  }
};

run_times plan(const options& opt) {
  const auto now = clock_type::now();
  const auto warm =
      std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opt.warmup));
  const auto run =
      std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opt.duration));
  return {now + warm, now + warm + run,
          now + warm + std::max<clock_type::duration>(4 * run, hard_stop_floor)};
}

// GET load without a thread per connection: the workers' connections are spread over
// --client-threads threads, each running one epoll loop; every body is received into one
// 256 KiB buffer per thread (it stays in the cache) and dropped. One core can then take in far
// more than the blocking client's 16 threads with 1 MiB buffers each, so GET rows measure the
// server rather than the load generator.
class get_loop {
 public:
  get_loop(const options& opt, const onehop::sigv4::signer_config& config, tcp::endpoint target,
           const run_times& times, std::span<recorder> recorders, unsigned first_worker,
           unsigned workers, std::string prefix, error_log& errors,
           std::atomic<std::uint64_t>& bytes_all)
      : opt_(opt),
        presigner_(config),
        target_(target),
        times_(times),
        recorders_(recorders),
        prefix_(std::move(prefix)),
        errors_(errors),
        bytes_all_(bytes_all),
        scratch_(receive_buffer_size) {
    for (unsigned w = first_worker; w < first_worker + workers; ++w) {
      conns_.push_back(connection{w});
    }
  }

  void run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      errors_.report(std::string("epoll_create1: ") + std::strerror(errno));
      return;
    }
    std::size_t active = 0;
    for (auto& c : conns_) {
      active += start_next(c) ? 1 : 0;
    }
    std::vector<epoll_event> events(conns_.size());
    while (active > 0) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 1000);
      if (n < 0 && errno != EINTR) {
        errors_.report(std::string("epoll_wait: ") + std::strerror(errno));
        break;
      }
      for (int i = 0; i < n; ++i) {
        connection& c = conns_[events[static_cast<std::size_t>(i)].data.u32];
        if (!on_readable(c)) {
          --active;
        }
      }
    }
    for (auto& c : conns_) {
      close_socket(c);
    }
    ::close(epoll_);
  }

 private:
  static constexpr std::size_t receive_buffer_size = 256 * 1024;
  static constexpr std::size_t max_header = 16 * 1024;

  struct connection {
    unsigned worker = 0;
    int fd = -1;
    std::string head;  // response header bytes so far
    bool in_body = false;
    int status = 0;
    bool keep_alive = true;
    std::uint64_t body_left = 0;
    std::uint64_t body_got = 0;
    std::string error_body;
    std::uint64_t request_index = 0;
    clock_type::time_point start;
  };

  std::size_t index_of(const connection& c) const {
    return static_cast<std::size_t>(&c - conns_.data());
  }

  void close_socket(connection& c) {
    if (c.fd >= 0) {
      ::close(c.fd);
      c.fd = -1;
    }
  }

  bool connect_socket(connection& c) {
    c.fd = ::socket(target_.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      errors_.report(std::string("socket: ") + std::strerror(errno));
      return false;
    }
    if (::connect(c.fd, target_.data(), static_cast<socklen_t>(target_.size())) != 0) {
      errors_.report(std::string("connect: ") + std::strerror(errno));
      close_socket(c);
      return false;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(index_of(c));
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      errors_.report(std::string("epoll_ctl: ") + std::strerror(errno));
      close_socket(c);
      return false;
    }
    return true;
  }

  // Sends the next request of `c`; false when the worker is finished (or cannot go on).
  bool start_next(connection& c) {
    recorder& r = recorders_[c.worker];
    if (c.request_index >= opt_.max_requests || !times_.keep_going(r, opt_.min_requests)) {
      close_socket(c);
      return false;
    }
    ++c.request_index;
    if (c.fd < 0 && !connect_socket(c)) {
      return false;
    }
    const std::string key = prefix_ + std::to_string(c.worker) + "/get";
    onehop::sigv4::sign_request sr;
    sr.method = "GET";
    sr.bucket = opt_.bucket;
    sr.key = key;
    sr.payload_hash = onehop::sigv4::unsigned_payload;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (auto signed_ok = presigner_.sign(auth_, sr, now); !signed_ok) {
      errors_.report("sign: " + signed_ok.error().message());
      close_socket(c);
      return false;
    }
    request_.clear();
    request_.append("GET ").append(auth_.target).append(" HTTP/1.1\r\nHost: ");
    request_.append(auth_.host).append("\r\nx-amz-date: ").append(auth_.amz_date);
    request_.append("\r\nx-amz-content-sha256: ").append(auth_.content_sha256);
    request_.append("\r\nAuthorization: ").append(auth_.authorization).append("\r\n\r\n");
    c.head.clear();
    c.in_body = false;
    c.body_got = 0;
    c.error_body.clear();
    c.start = clock_type::now();
    // A few hundred bytes into an empty send buffer: a short write means the connection is gone.
    const ssize_t n = ::send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size())) {
      return fail_and_retry(c, std::string("send: ") + (n < 0 ? std::strerror(errno) : "short"));
    }
    return true;
  }

  bool fail_and_retry(connection& c, const std::string& what) {
    errors_.report(what);
    close_socket(c);
    // Back off so a refusing server is not hammered into ephemeral-port exhaustion.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return start_next(c);
  }

  // Parses the status and the fields the loop needs from a complete header.
  bool parse_head(connection& c, std::size_t header_size) {
    std::string_view head(c.head.data(), header_size);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
      return false;
    }
    c.status = std::atoi(std::string(head.substr(9, 3)).c_str());
    c.keep_alive = true;
    bool has_length = false;
    std::size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      const std::size_t end = head.find("\r\n", pos);
      if (end == std::string_view::npos || end == pos) {
        break;
      }
      const std::string_view line = head.substr(pos, end - pos);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
          value.remove_prefix(1);
        }
        if (beast::iequals(name, "content-length")) {
          c.body_left = std::strtoull(std::string(value).c_str(), nullptr, 10);
          has_length = true;
        } else if (beast::iequals(name, "connection") && beast::iequals(value, "close")) {
          c.keep_alive = false;
        }
      }
      pos = end + 2;
    }
    return has_length;
  }

  // Reads what is there; false when the worker of `c` is finished.
  bool on_readable(connection& c) {
    for (;;) {
      const ssize_t n = ::recv(c.fd, scratch_.data(), scratch_.size(), 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return fail_and_retry(
            c, std::string("read: ") + (n == 0 ? "connection closed" : std::strerror(errno)));
      }
      std::string_view got(scratch_.data(), static_cast<std::size_t>(n));
      if (!c.in_body) {
        const std::size_t before = c.head.size();
        c.head.append(got);
        const std::size_t end = c.head.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
        if (end == std::string::npos) {
          if (c.head.size() > max_header) {
            return fail_and_retry(c, "response header too large");
          }
          continue;
        }
        const std::size_t header_size = end + 4;
        if (!parse_head(c, header_size)) {
          return fail_and_retry(c, "response without Content-Length");
        }
        c.in_body = true;
        got = std::string_view(c.head).substr(header_size);
      }
      if (got.size() > c.body_left) {
        return fail_and_retry(c, "more bytes than Content-Length");
      }
      if (c.status / 100 != 2 && c.error_body.size() < 512) {
        c.error_body.append(got.substr(0, 512));
      }
      c.body_left -= got.size();
      c.body_got += got.size();
      if (c.body_left > 0) {
        continue;
      }
      return finish(c);
    }
  }

  bool finish(connection& c) {
    const auto end = clock_type::now();
    if (c.status / 100 != 2) {
      return fail_and_retry(c, "GET: HTTP " + std::to_string(c.status) + " " + c.error_body);
    }
    if (c.body_got != opt_.size) {
      return fail_and_retry(c, "GET returned " + std::to_string(c.body_got) + " bytes, expected " +
                                   std::to_string(opt_.size));
    }
    bytes_all_.fetch_add(opt_.size, std::memory_order_relaxed);
    recorders_[c.worker].add(c.start, end, opt_.size);
    if (!c.keep_alive) {
      close_socket(c);
    }
    return start_next(c);
  }

  const options& opt_;
  onehop::sigv4::presigner presigner_;
  onehop::sigv4::header_auth auth_;
  tcp::endpoint target_;
  const run_times& times_;
  std::span<recorder> recorders_;
  std::string prefix_;
  error_log& errors_;
  std::atomic<std::uint64_t>& bytes_all_;
  std::vector<char> scratch_;
  std::vector<connection> conns_;
  std::string request_;
  int epoll_ = -1;
};

// User + system CPU seconds of the processes so far (all their threads), from /proc/PID/stat.
double cpu_seconds(const std::vector<int>& pids) {
  double ticks = 0;
  for (int pid : pids) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(f, stat);
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14 || i == 15) {  // utime, stime
        ticks += std::strtod(field.c_str(), nullptr);
      }
    }
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// `bytes_all` counts every successful request, warm-up included, as does `server_cpu`: their
// ratio is the server's cost per byte, which holds even when the machine is shared.
void print_row(const options& opt, std::span<const worker_sample> samples, double rss_mib,
               std::uint64_t errors, std::uint64_t bytes_all, double server_cpu) {
  const auto s = onehop::bench::summarize(samples);
  const double mib_per_cpu_second =
      server_cpu > 0 ? static_cast<double>(bytes_all) / (1024.0 * 1024.0) / server_cpu : 0;
  std::printf("%s %s %llu %u %.1f %.1f %.2f %.2f %.1f %llu %llu %.1f\n", opt.server.c_str(),
              opt.op.c_str(), static_cast<unsigned long long>(opt.size), opt.concurrency,
              s.mib_per_second, s.objects_per_second, s.p50_ms, s.p99_ms, rss_mib,
              static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(errors),
              mib_per_cpu_second);
}

int run_http(const options& opt) {
  auto endpoint = onehop::sigv4::parse_endpoint(opt.endpoint);
  if (!endpoint || endpoint->scheme != "http") {
    std::fprintf(stderr, "bench_store: --endpoint must be http://IP:PORT\n");
    return 2;
  }
  beast::error_code ec;
  auto address = net::ip::make_address(endpoint->host, ec);
  if (ec) {
    std::fprintf(stderr, "bench_store: --endpoint host must be an IP address\n");
    return 2;
  }
  const tcp::endpoint target{address, endpoint->port == 0 ? std::uint16_t{80} : endpoint->port};
  onehop::sigv4::signer_config config;
  config.creds.access_key_id = env_or_empty("BENCH_ACCESS_KEY");
  config.creds.secret_access_key = env_or_empty("BENCH_SECRET_KEY");
  config.endpoint = *endpoint;
  config.region = opt.region;

  const std::string payload = random_payload(opt.size);
  const std::string prefix = "bench/" + std::to_string(opt.size) + "/w";
  error_log errors;

  // GET reads objects that exist: one per worker, uploaded before the clock starts.
  if (opt.op == "get") {
    s3_client setup(opt, config, target);
    for (unsigned w = 0; w < opt.concurrency; ++w) {
      if (auto e = setup.put(prefix + std::to_string(w) + "/get", payload); !e.empty()) {
        std::fprintf(stderr, "bench_store: preparing GET objects: %s\n", e.c_str());
        return 1;
      }
    }
  }

  reset_peak_rss(opt.pids);
  const double cpu_before = cpu_seconds(opt.pids);
  std::atomic<std::uint64_t> bytes_all{0};
  const run_times times = plan(opt);
  std::vector<recorder> recorders(opt.concurrency);
  std::vector<std::thread> threads;
  threads.reserve(opt.concurrency);
  for (auto& r : recorders) {
    r.measure_from = times.measure_from;
    r.sample.latencies.reserve(4096);
  }
  const bool epoll_get = opt.op == "get" && !opt.blocking_get;
  if (epoll_get) {
    const unsigned loops = std::min(opt.client_threads, opt.concurrency);
    for (unsigned t = 0; t < loops; ++t) {
      const unsigned first = opt.concurrency * t / loops;
      const unsigned count = opt.concurrency * (t + 1) / loops - first;
      threads.emplace_back([&, first, count] {
        get_loop loop(opt, config, target, times, recorders, first, count, prefix, errors,
                      bytes_all);
        loop.run();
      });
    }
  }
  for (unsigned w = 0; w < opt.concurrency && !epoll_get; ++w) {
    threads.emplace_back([&, w] {
      s3_client client(opt, config, target);
      const std::string base = prefix + std::to_string(w) + "/";
      for (std::uint64_t i = 0;
           i < opt.max_requests && times.keep_going(recorders[w], opt.min_requests); ++i) {
        const auto start = clock_type::now();
        std::string e;
        std::uint64_t got = opt.size;
        if (opt.op == "put") {
          e = client.put(base + "o" + std::to_string(i % keys_per_worker), payload);
        } else {
          e = client.get(base + "get", got);
          if (e.empty() && got != opt.size) {
            e = "GET returned " + std::to_string(got) + " bytes, expected " +
                std::to_string(opt.size);
          }
        }
        const auto end = clock_type::now();
        if (!e.empty()) {
          errors.report(e);
          // Back off so a refusing server is not hammered into ephemeral-port exhaustion.
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        bytes_all.fetch_add(opt.size, std::memory_order_relaxed);
        recorders[w].add(start, end, opt.size);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::vector<worker_sample> samples;
  for (auto& r : recorders) {
    samples.push_back(std::move(r.sample));
  }
  print_row(opt, samples, peak_rss_mib(opt.pids), errors.count(), bytes_all.load(),
            cpu_seconds(opt.pids) - cpu_before);
  return errors.count() == 0 ? 0 : 1;
}

// One durable write as the store's protocol does it; returns an error description or empty.
std::string durable_write(int dir_fd, const std::string& tmp, const std::string& final_name,
                          std::string_view body) {
  const int fd = ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return "open: " + std::string(std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const std::string what = "write: " + std::string(std::strerror(errno));
      ::close(fd);
      return what;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    const std::string what = "fdatasync: " + std::string(std::strerror(errno));
    ::close(fd);
    return what;
  }
  if (::close(fd) != 0) {
    return "close: " + std::string(std::strerror(errno));
  }
  if (::renameat(dir_fd, tmp.c_str(), dir_fd, final_name.c_str()) != 0) {
    return "rename: " + std::string(std::strerror(errno));
  }
  if (::fsync(dir_fd) != 0) {
    return "fsync dir: " + std::string(std::strerror(errno));
  }
  return {};
}

int run_disk(const options& opt) {
  ::mkdir(opt.dir.c_str(), 0755);
  const int dir_fd = ::open(opt.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    std::fprintf(stderr, "bench_store: cannot open %s: %s\n", opt.dir.c_str(),
                 std::strerror(errno));
    return 2;
  }
  const std::string payload = random_payload(opt.size);
  error_log errors;
  const run_times times = plan(opt);
  std::vector<recorder> recorders(opt.concurrency);
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < opt.concurrency; ++w) {
    recorders[w].measure_from = times.measure_from;
    recorders[w].sample.latencies.reserve(4096);
    threads.emplace_back([&, w] {
      const std::string tmp = ".tmp-" + std::to_string(w);
      for (std::uint64_t i = 0;
           i < opt.max_requests && times.keep_going(recorders[w], opt.min_requests); ++i) {
        const auto start = clock_type::now();
        const std::string name =
            "obj-" + std::to_string(w) + "-" + std::to_string(i % keys_per_worker);
        if (auto e = durable_write(dir_fd, tmp, name, payload); !e.empty()) {
          errors.report(e);
          // A failing disk fails fast: do not spin until the deadline.
          break;
        }
        recorders[w].add(start, clock_type::now(), opt.size);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  ::close(dir_fd);
  std::vector<worker_sample> samples;
  for (auto& r : recorders) {
    samples.push_back(std::move(r.sample));
  }
  print_row(opt, samples, 0, errors.count(), 0, 0);
  return errors.count() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"bench_store: S3 PUT/GET load generator and durable-write ceiling"};
  app.require_subcommand(1);
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--size", opt.size, "object size in bytes")
        ->check(CLI::Range(1ULL, 1ULL << 34));
    cmd->add_option("--concurrency", opt.concurrency, "workers")->check(CLI::Range(1u, 1024u));
    cmd->add_option("--duration", opt.duration, "measured seconds")->check(CLI::Range(0.1, 600.0));
    cmd->add_option("--warmup", opt.warmup, "unmeasured seconds first")
        ->check(CLI::Range(0.0, 60.0));
    cmd->add_option("--max-requests", opt.max_requests, "per worker")->check(CLI::PositiveNumber);
    cmd->add_option("--min-requests", opt.min_requests,
                    "measured per worker before stopping (time cap: max(4 x duration, 30 s))");
    cmd->add_option("--server", opt.server, "label of the row");
  };
  auto* http_cmd = app.add_subcommand("http", "PUT or GET against an S3 endpoint");
  add_common(http_cmd);
  http_cmd->add_option("--endpoint", opt.endpoint, "http://IP:PORT")->required();
  http_cmd->add_option("--bucket", opt.bucket, "bucket")->required();
  http_cmd->add_option("--region", opt.region, "signing region");
  http_cmd->add_option("--op", opt.op, "put or get")->check(CLI::IsMember({"put", "get"}));
  http_cmd
      ->add_option("--client-threads", opt.client_threads,
                   "GET: threads running the connections (epoll), default 1")
      ->check(CLI::Range(1u, 1024u));
  http_cmd->add_flag("--blocking-get", opt.blocking_get,
                     "GET with one blocking thread per connection (the earlier client)");
  http_cmd->add_option("--pid", opt.pids, "server process to report peak RSS of (repeatable)");
  auto* disk_cmd = app.add_subcommand("disk", "durable 1-object writes: the PUT ceiling");
  add_common(disk_cmd);
  disk_cmd->add_option("--dir", opt.dir, "folder on the disk under test")->required();
  CLI11_PARSE(app, argc, argv);

  if (http_cmd->parsed()) {
    return run_http(opt);
  }
  opt.op = "durable";
  return run_disk(opt);
}
