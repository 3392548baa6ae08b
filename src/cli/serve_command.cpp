// `onehop serve`: the upload API, configured by onehop.toml and the environment, until SIGINT or
// SIGTERM (then in-flight requests finish).

#include <boost/system/system_error.hpp>
#include <cstdio>

#include "api/api_server.hpp"
#include "api/from_config.hpp"
#include "cli/commands.hpp"
#include "cli/run_until_signal.hpp"
#include "config/config.hpp"
#include "http/endpoint.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "serve";

struct serve_flags {
  std::string config_file;
  std::string listen;  // overrides [api] listen
};

void run_serve(const serve_flags& flags) {
  const auto env = config::process_env();
  auto loaded = flags.config_file.empty() ? config::defaults_with_env(env)
                                          : config::load(flags.config_file, env);
  if (!loaded) {
    fail(command_name, loaded.error().message, exit_usage);
  }
  if (!flags.listen.empty()) {
    loaded->api.listen = flags.listen;
  }
  if (auto ok = api::logging_from(loaded->log); !ok) {
    fail(command_name, ok.error(), exit_usage);
  }
  auto app = api::app_config_from(*loaded);
  if (!app) {
    fail(command_name, app.error(), exit_usage);
  }
  if (app->auth.hs256_secret.empty() && app->auth.jwks_json.empty() && app->auth.api_keys.empty()) {
    fail(command_name,
         "no way to authenticate users: set [auth] jwt_secret (or ONEHOP_JWT_SECRET), jwks_file "
         "or api_keys",
         exit_usage);
  }

  const stop_signals signals;
  std::unique_ptr<api::api_server> server;
  try {
    auto started = api::api_server::start(std::move(*app));
    if (!started) {
      fail(command_name, started.error().message, exit_failure);
    }
    server = std::move(*started);
  } catch (const boost::system::system_error& e) {
    fail(command_name, "cannot listen on " + loaded->api.listen + ": " + e.code().message(),
         exit_failure);
  }
  std::printf("onehop serve listening on http://%s:%u (storage %s, bucket %s)\n",
              http::parse_listen_address(loaded->api.listen)->address().to_string().c_str(),
              static_cast<unsigned>(server->port()), loaded->storage.endpoint.c_str(),
              loaded->storage.bucket.c_str());
  std::fflush(stdout);
  const int received = signals.wait();
  std::fprintf(stderr, "onehop serve: %s, finishing in-flight requests\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  server->stop();
  server->wait();
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<serve_flags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the upload API against any S3-compatible storage.\n"
      "Configuration: onehop.toml (--config) and the environment (ONEHOP_<SECTION>_<KEY>, AWS_*\n"
      "for the storage credentials and endpoint); see docs/configuration.md.");
  cmd->add_option("--config", flags->config_file, "onehop.toml to read");
  cmd->add_option("--listen", flags->listen, "HOST:PORT, overrides [api] listen");
  cmd->callback([flags] { run_serve(*flags); });
}

}  // namespace onehop::cli
