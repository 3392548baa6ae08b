// `onehop store`: runs the embedded S3-compatible store until SIGINT or SIGTERM.
// The I/O edge: reads flags, the [store] section of onehop.toml, the environment and the clock,
// then hands typed values to store::store_server. Precedence: explicit flags, then the
// environment, then the file, then the defaults.

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
#include "config/config.hpp"
#include "http/endpoint.hpp"
#include "store/durable_file.hpp"
#include "store/names.hpp"
#include "store/server.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "store";

// Flag values; a flag counts only when given (CLI::App::count), else [store] decides.
struct store_flags {
  std::string config_file;
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

// The [store] section from --config FILE (or the defaults) with the environment applied, then
// the flags that were given on the command line.
config::store_section resolve(const store_flags& flags, const CLI::App& cmd) {
  const auto env = config::process_env();
  auto loaded = cmd.count("--config") > 0 ? config::load(flags.config_file, env)
                                          : config::defaults_with_env(env);
  if (!loaded) {
    fail(command_name, loaded.error().message, exit_usage);
  }
  config::store_section s = std::move(loaded->store);
  if (cmd.count("--config") == 0 && cmd.count("--data") == 0 && !env("ONEHOP_STORE_DATA")) {
    fail(command_name, "--data is required (or --config FILE with [store] data)", exit_usage);
  }
  const auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  if (given("--listen")) {
    s.listen = flags.listen;
  }
  if (given("--data")) {
    s.data = flags.data;
  }
  if (given("--bucket")) {
    s.buckets = flags.buckets;
  }
  if (given("--region")) {
    s.region = flags.region;
  }
  if (given("--access-key")) {
    s.access_key = *flags.access_key;
  }
  if (given("--secret-key")) {
    s.secret_key = *flags.secret_key;
  }
  if (given("--threads")) {
    s.threads = flags.threads;
  }
  if (given("--sync-threads")) {
    s.sync_threads = flags.sync_threads;
  }
  if (given("--max-connections")) {
    s.max_connections = flags.max_connections;
  }
  if (given("--idle-timeout")) {
    s.idle_timeout = std::chrono::seconds(flags.idle_timeout_seconds);
  }
  if (given("--max-object-size")) {
    s.max_object_size = flags.max_object_size;
  }
  if (given("--host")) {
    s.hosts = flags.hosts;
  }
  return s;
}

void run_store(const store_flags& flags, const CLI::App& cmd) {
  const config::store_section s = resolve(flags, cmd);
  // From the file these were checked already; flags are checked here, with the flag's name.
  const std::string listen_source = cmd.count("--listen") > 0 ? "--listen" : "[store] listen";
  auto endpoint = http::parse_listen_address(s.listen);
  if (!endpoint) {
    fail(command_name,
         listen_source + ": expected HOST:PORT with an IP address, got '" + s.listen + "'",
         exit_usage);
  }
  const std::string bucket_source = cmd.count("--bucket") > 0 ? "--bucket" : "[store] buckets";
  for (const auto& bucket : s.buckets) {
    if (!store::validate_bucket_name(bucket)) {
      fail(command_name, bucket_source + ": invalid bucket name '" + bucket + "'", exit_usage);
    }
  }

  std::optional<std::string> access;
  std::optional<std::string> secret;
  if (!s.access_key.empty()) {
    access = s.access_key;
  }
  if (!s.secret_key.empty()) {
    secret = s.secret_key;
  }
  if (access.has_value() != secret.has_value()) {
    fail(command_name, "give both an access key and a secret key, or neither", exit_usage);
  }
  bool generated = false;
  if (!access) {
    // A fresh pair per run, printed once: a local store is never open to anonymous writes.
    access = std::string("OH") + store::random_token(12);
    secret = store::random_token(30);
    generated = true;
  }

  store::store_server_config config;
  config.engine.data_dir = s.data;
  config.engine.max_object_size = s.max_object_size;
  config.http.listen = *endpoint;
  config.http.threads = s.threads;
  config.http.blocking_threads = s.sync_threads;
  config.http.max_connections = s.max_connections;
  config.http.idle_timeout = s.idle_timeout;
  config.front.region = s.region;
  config.front.keys.push_back({*access, *secret});
  config.front.endpoint_hosts = s.hosts;
  config.buckets = s.buckets;

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
      fail(command_name, "cannot open data folder '" + s.data + "': " + started.error().message(),
           exit_failure);
    }
    server = std::move(*started);
  } catch (const boost::system::system_error& e) {
    fail(command_name, "cannot listen on " + s.listen + ": " + e.code().message(), exit_failure);
  }
  for (const auto& problem : server->report().problems) {
    std::fprintf(stderr, "onehop store: skipped %s\n", problem.c_str());
  }
  if (generated) {
    std::printf("access key: %s\nsecret key: %s\n", access->c_str(), secret->c_str());
  }
  std::printf("onehop store listening on http://%s:%u (data %s, region %s)\n",
              endpoint->address().to_string().c_str(), static_cast<unsigned>(server->port()),
              s.data.c_str(), s.region.c_str());
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
      "Settings: flags given here, else ONEHOP_STORE_* variables, else [store] in --config FILE,\n"
      "else the defaults shown. Credentials: --access-key/--secret-key, else\n"
      "ONEHOP_STORE_ACCESS_KEY and ONEHOP_STORE_SECRET_KEY, else [store] access_key/secret_key;\n"
      "with none, a fresh pair is generated and printed once at start. Stops gracefully on\n"
      "SIGINT/SIGTERM (in-flight requests finish).");
  cmd->add_option("--config", flags->config_file,
                  "onehop.toml to read [store] from (see docs/configuration.md)");
  cmd->add_option("--listen", flags->listen, "address to listen on, HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--data", flags->data,
                  "data folder (created if missing); required unless --config or "
                  "ONEHOP_STORE_DATA gives one");
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
  cmd->callback([flags, cmd] { run_store(*flags, *cmd); });
}

}  // namespace onehop::cli
