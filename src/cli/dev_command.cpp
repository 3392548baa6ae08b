// `onehop dev`: the whole system on one machine with no cloud account and no config file. One
// process runs the embedded store (127.0.0.1:9000, data in ./data/store), creates the bucket with
// CORS rules for the API's origin, and runs the API (127.0.0.1:8080) in dev mode, serving the web
// app. Dev secrets (store keys, JWT secret) are generated once and kept in DATA/dev-secrets.json,
// so tokens, records and objects survive a restart.

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api_server.hpp"
#include "api/from_config.hpp"
#include "cli/commands.hpp"
#include "cli/run_until_signal.hpp"
#include "config/config.hpp"
#include "http/endpoint.hpp"
#include "store/durable_file.hpp"
#include "store/names.hpp"
#include "store/server.hpp"

namespace onehop::cli {
namespace {

constexpr std::string_view command_name = "dev";

struct dev_flags {
  std::string data = "./data";
  unsigned port = 8080;
  unsigned store_port = 9000;
  std::string config_file;
  std::string web_dir;
};

struct dev_secrets {
  std::string store_access_key;
  std::string store_secret_key;
  std::string jwt_secret;
};

// Reads DATA/dev-secrets.json, or creates it (mode 0600, written whole then renamed).
dev_secrets load_or_create_secrets(const std::filesystem::path& data) {
  const auto file = data / "dev-secrets.json";
  if (std::ifstream in(file); in) {
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto doc = boost::json::parse(text.str(), ec);
    if (!ec && doc.is_object()) {
      const auto& o = doc.as_object();
      const auto* ak = o.if_contains("store_access_key");
      const auto* sk = o.if_contains("store_secret_key");
      const auto* js = o.if_contains("jwt_secret");
      if (ak && sk && js && ak->is_string() && sk->is_string() && js->is_string()) {
        return {std::string(ak->as_string()), std::string(sk->as_string()),
                std::string(js->as_string())};
      }
    }
    fail(command_name, "cannot use " + file.string() + ": not a dev secrets file (delete it)",
         exit_failure);
  }
  dev_secrets s{"OHDEV" + store::random_token(10), store::random_token(30),
                store::random_token(43)};
  boost::json::object o;
  o["store_access_key"] = s.store_access_key;
  o["store_secret_key"] = s.store_secret_key;
  o["jwt_secret"] = s.jwt_secret;
  const std::string text = boost::json::serialize(o) + "\n";
  const auto temp = data / "dev-secrets.json.tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd) != 0 || ::close(fd) != 0) {
    fail(command_name, "cannot write " + temp.string(), exit_failure);
  }
  std::filesystem::rename(temp, file);
  return s;
}

// The web app's built files: --web-dir, $ONEHOP_WEB_DIR, ./web/dist, or next to the source tree
// the binary was built in.
std::filesystem::path find_web_dir(const std::string& flag) {
  std::vector<std::filesystem::path> candidates;
  if (!flag.empty()) {
    return flag;
  }
  if (const char* env = std::getenv("ONEHOP_WEB_DIR"); env && *env) {
    return env;
  }
  candidates.push_back(std::filesystem::current_path() / "web" / "dist");
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); dir.has_relative_path(); dir = dir.parent_path()) {
      candidates.push_back(dir / "web" / "dist");
    }
  }
  for (const auto& c : candidates) {
    if (std::filesystem::exists(c / "index.html", ec)) {
      return c;
    }
  }
  return {};
}

std::string cors_rules(unsigned api_port) {
  std::string xml = "<CORSConfiguration><CORSRule>";
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    xml += "<AllowedOrigin>http://" + host + ":" + std::to_string(api_port) + "</AllowedOrigin>";
  }
  for (const char* method : {"GET", "HEAD", "PUT", "POST"}) {
    xml += std::string("<AllowedMethod>") + method + "</AllowedMethod>";
  }
  xml +=
      "<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"
      "<ExposeHeader>x-amz-checksum-sha256</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds>"
      "</CORSRule></CORSConfiguration>";
  return xml;
}

template <class T>
T run_sync(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.run();
  return future.get();
}

void run_dev(const dev_flags& flags) {
  const auto env = config::process_env();
  auto loaded = flags.config_file.empty() ? config::defaults_with_env(env)
                                          : config::load(flags.config_file, env);
  if (!loaded) {
    fail(command_name, loaded.error().message, exit_usage);
  }
  std::error_code ec;
  const std::filesystem::path data = flags.data;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    fail(command_name, "cannot create " + data.string() + ": " + ec.message(), exit_failure);
  }
  const dev_secrets secrets = load_or_create_secrets(data);

  // Dev defaults: this machine's store, dev secrets, data under --data, big enough files to try
  // multipart (a phone's photo folder goes through).
  config::onehop_config& c = *loaded;
  c.api.listen = "127.0.0.1:" + std::to_string(flags.port);
  c.storage.endpoint = "http://127.0.0.1:" + std::to_string(flags.store_port);
  c.storage.access_key_id = secrets.store_access_key;
  c.storage.secret_access_key = secrets.store_secret_key;
  c.storage.session_token.clear();
  c.storage.path_style = true;
  if (c.auth.jwt_secret.empty()) {
    c.auth.jwt_secret = secrets.jwt_secret;
  }
  c.database.path = (data / "onehop.db").string();
  if (flags.config_file.empty() && !env("ONEHOP_UPLOADS_MAX_SIZE")) {
    c.uploads.max_size = 64 * config::mib;
  }
  if (c.log.format == "json" && !env("ONEHOP_LOG_FORMAT")) {
    c.log.format = "text";
  }
  if (auto ok = api::logging_from(c.log); !ok) {
    fail(command_name, ok.error(), exit_usage);
  }
  auto app = api::app_config_from(c);
  if (!app) {
    fail(command_name, app.error(), exit_usage);
  }
  app->dev_mode = true;
  app->static_dir = find_web_dir(flags.web_dir);

  store::store_server_config store_config;
  store_config.engine.data_dir = data / "store";
  store_config.http.listen = *http::parse_listen_address(c.storage.endpoint.substr(7));
  store_config.front.region = c.storage.region;
  store_config.front.keys.push_back({secrets.store_access_key, secrets.store_secret_key});
  store_config.buckets.push_back(c.storage.bucket);

  const stop_signals signals;
  std::unique_ptr<store::store_server> store_server;
  std::unique_ptr<api::api_server> api_server;
  try {
    auto started = store::store_server::start(std::move(store_config));
    if (!started) {
      fail(command_name, "cannot open the store's data: " + started.error().message(),
           exit_failure);
    }
    store_server = std::move(*started);
  } catch (const boost::system::system_error& e) {
    fail(command_name,
         "cannot listen on " + c.storage.endpoint + " for the store: " + e.code().message() +
             " (another onehop dev running? use --store-port)",
         exit_failure);
  }
  try {
    auto started = api::api_server::start(*app);
    if (!started) {
      fail(command_name, started.error().message, exit_failure);
    }
    api_server = std::move(*started);
  } catch (const boost::system::system_error& e) {
    fail(command_name,
         "cannot listen on " + c.api.listen + " for the API: " + e.code().message() +
             " (use --port)",
         exit_failure);
  }

  auto& storage = api_server->components().storage;
  if (auto ok = run_sync(storage.put_bucket_cors(cors_rules(flags.port))); !ok) {
    fail(command_name, "cannot set the bucket's CORS rules: " + ok.error().message, exit_failure);
  }
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto token = api::issue_dev_token(app->auth, "dev", app->dev_token_ttl, now);

  std::printf("onehop dev is running\n");
  std::printf("  open      http://127.0.0.1:%u/\n", flags.port);
  std::printf("  API       http://127.0.0.1:%u/api  (docs/api.md)\n", flags.port);
  std::printf("  store     http://127.0.0.1:%u  bucket %s  (data %s)\n", flags.store_port,
              c.storage.bucket.c_str(), data.c_str());
  if (token) {
    std::printf("  dev token (user \"dev\"): %s\n", token->c_str());
  }
  if (app->static_dir.empty()) {
    std::printf("  web app   not built: run `make run` (or `npm ci && npm run build` in web/)\n");
  }
  std::printf("Stop with Ctrl-C.\n");
  std::fflush(stdout);

  const int received = signals.wait();
  std::fprintf(stderr, "onehop dev: %s, finishing in-flight requests\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  api_server->stop();
  api_server->wait();
  store_server->stop();
  store_server->wait();
}

}  // namespace

void add_dev_command(CLI::App& app) {
  auto flags = std::make_shared<dev_flags>();
  CLI::App* cmd = app.add_subcommand(
      "dev",
      "Run the store, the API and the web app on this machine (no cloud account, no config).\n"
      "Everything it creates lives in --data and survives a restart.");
  cmd->add_option("--data", flags->data, "data folder")->capture_default_str();
  cmd->add_option("--port", flags->port, "API and web app port")
      ->capture_default_str()
      ->check(CLI::Range(1u, 65535u));
  cmd->add_option("--store-port", flags->store_port, "store port")
      ->capture_default_str()
      ->check(CLI::Range(1u, 65535u));
  cmd->add_option("--config", flags->config_file, "optional onehop.toml for policy and limits");
  cmd->add_option("--web-dir", flags->web_dir, "the built web app (default: web/dist)");
  cmd->callback([flags] { run_dev(*flags); });
}

}  // namespace onehop::cli
