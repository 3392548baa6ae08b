// `onehop store`: runs the embedded S3-compatible store until SIGINT or SIGTERM.
// The I/O edge: reads flags, the environment and the clock, then hands typed values to
// store::store_server.

#include <pthread.h>
#include <signal.h>

#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "http/endpoint.hpp"
#include "store/durable_file.hpp"
#include "store/names.hpp"
#include "store/server.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "store";

struct store_flags {
  std::string listen = "127.0.0.1:9000";
  std::string data;
  std::vector<std::string> buckets;
  std::string region = "us-east-1";
  std::optional<std::string> access_key;
  std::optional<std::string> secret_key;
  unsigned threads = 0;
  // fdatasync waits on the disk, not the CPU: more concurrent syncs let the device batch them.
  unsigned sync_threads = 16;
  std::size_t max_connections = 4096;
  unsigned idle_timeout_seconds = 60;
  std::uint64_t max_object_size = store::default_max_object_size;
  std::vector<std::string> hosts{"localhost"};
};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

void run_store(const store_flags& flags) {
  auto endpoint = http::parse_listen_address(flags.listen);
  if (!endpoint) {
    fail(command_name,
         "--listen: expected HOST:PORT with an IP address, got '" + flags.listen + "'", exit_usage);
  }
  for (const auto& bucket : flags.buckets) {
    if (!store::validate_bucket_name(bucket)) {
      fail(command_name, "--bucket: invalid bucket name '" + bucket + "'", exit_usage);
    }
  }

  std::optional<std::string> access =
      flags.access_key ? flags.access_key : env("ONEHOP_STORE_ACCESS_KEY");
  std::optional<std::string> secret =
      flags.secret_key ? flags.secret_key : env("ONEHOP_STORE_SECRET_KEY");
  if (access.has_value() != secret.has_value()) {
    fail(command_name, "give both an access key and a secret key, or neither", exit_usage);
  }
  bool generated = false;
  if (!access) {
    // A fresh pair per run, printed once: a local store is never open to anonymous writes.
    access = "OH" + store::random_token(12);
    secret = store::random_token(30);
    generated = true;
  }

  store::store_server_config config;
  config.engine.data_dir = flags.data;
  config.engine.max_object_size = flags.max_object_size;
  config.http.listen = *endpoint;
  config.http.threads = flags.threads;
  config.http.blocking_threads = flags.sync_threads;
  config.http.max_connections = flags.max_connections;
  config.http.idle_timeout = std::chrono::seconds(flags.idle_timeout_seconds);
  config.front.region = flags.region;
  config.front.keys.push_back({*access, *secret});
  config.front.endpoint_hosts = flags.hosts;
  config.buckets = flags.buckets;

  // Block the stop signals before any thread starts, so they inherit the mask and only this
  // thread receives them (in sigwait below).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<store::store_server> server;
  try {
    auto started = store::store_server::start(std::move(config));
    if (!started) {
      fail(command_name,
           "cannot open data folder '" + flags.data + "': " + started.error().message(),
           exit_failure);
    }
    server = std::move(*started);
  } catch (const boost::system::system_error& e) {
    fail(command_name, "cannot listen on " + flags.listen + ": " + e.code().message(),
         exit_failure);
  }
  for (const auto& problem : server->report().problems) {
    std::fprintf(stderr, "onehop store: skipped %s\n", problem.c_str());
  }
  if (generated) {
    std::printf("access key: %s\nsecret key: %s\n", access->c_str(), secret->c_str());
  }
  std::printf("onehop store listening on http://%s:%u (data %s, region %s)\n",
              endpoint->address().to_string().c_str(), static_cast<unsigned>(server->port()),
              flags.data.c_str(), flags.region.c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  std::fprintf(stderr, "onehop store: %s, finishing in-flight requests\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  server->stop();
  server->wait();
}

}  // namespace

void add_store_command(CLI::App& app) {
  auto flags = std::make_shared<store_flags>();
  CLI::App* cmd = app.add_subcommand(
      "store",
      "Run the embedded S3-compatible object store.\n"
      "Credentials: --access-key/--secret-key, else ONEHOP_STORE_ACCESS_KEY and\n"
      "ONEHOP_STORE_SECRET_KEY; with neither, a fresh pair is generated and printed once at\n"
      "start. Stops gracefully on SIGINT/SIGTERM (in-flight requests finish).");
  cmd->add_option("--listen", flags->listen, "address to listen on, HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--data", flags->data, "data folder (created if missing)")->required();
  cmd->add_option("--bucket", flags->buckets, "bucket to create at start if missing (repeatable)");
  cmd->add_option("--region", flags->region, "region in signatures")->capture_default_str();
  cmd->add_option("--access-key", flags->access_key, "access key id clients sign with");
  cmd->add_option("--secret-key", flags->secret_key, "secret access key (prefer the env var)");
  cmd->add_option("--threads", flags->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--sync-threads", flags->sync_threads,
                  "threads for blocking disk work (fdatasync, renames)")
      ->capture_default_str();
  cmd->add_option("--max-connections", flags->max_connections, "concurrent connections")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", flags->idle_timeout_seconds,
                  "seconds a keep-alive connection may wait for its next request")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  cmd->add_option("--max-object-size", flags->max_object_size, "largest single PUT in bytes")
      ->capture_default_str();
  cmd->add_option("--host", flags->hosts,
                  "host name for virtual-hosted-style requests (repeatable; default localhost)");
  cmd->callback([flags] { run_store(*flags); });
}

}  // namespace onehop::cli
