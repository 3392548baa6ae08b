#include "api/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <string>

#include "api/json_out.hpp"

namespace onehop::api {
namespace {

std::atomic<int> current_level{static_cast<int>(log_level::info)};
std::atomic<bool> json_format{true};

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto l = std::make_shared<spdlog::logger>("onehop",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::trace:
      return "trace";
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "info";
}

void begin(std::string& line, log_level level, std::string_view event) {
  line += R"({"time":")";
  append_rfc3339(
      line, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  line += R"(","level":")";
  line += level_name(level);
  line += R"(","event":)";
  append_json_string(line, event);
}

}  // namespace

void configure_logging(log_level level, bool json) {
  current_level.store(static_cast<int>(level));
  json_format.store(json);
}

bool log_enabled(log_level level) noexcept {
  return static_cast<int>(level) >= current_level.load(std::memory_order_relaxed);
}

void log_event(log_level level, std::string_view event, std::string_view message) {
  if (!log_enabled(level)) {
    return;
  }
  std::string line;
  if (json_format.load(std::memory_order_relaxed)) {
    begin(line, level, event);
    line += R"(,"message":)";
    append_json_string(line, message);
    line += "}";
  } else {
    line.append(level_name(level)).append(" ").append(event).append(": ").append(message);
  }
  logger().info(line);
}

void log_request(std::string_view request_id, std::string_view route, std::string_view method,
                 unsigned status, std::chrono::steady_clock::duration elapsed,
                 std::string_view user, std::string_view detail) {
  const log_level level = status >= 500 ? log_level::error : log_level::debug;
  if (!log_enabled(level)) {
    return;
  }
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::string line;
  if (json_format.load(std::memory_order_relaxed)) {
    begin(line, level, "request");
    line += R"(,"request_id":)";
    append_json_string(line, request_id);
    line += R"(,"route":)";
    append_json_string(line, route);
    line += R"(,"method":)";
    append_json_string(line, method);
    line += R"(,"status":)" + std::to_string(status);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", ms);
    line += R"(,"duration_ms":)";
    line += buf;
    if (!user.empty()) {
      line += R"(,"user":)";
      append_json_string(line, user);
    }
    if (!detail.empty()) {
      line += R"(,"detail":)";
      append_json_string(line, detail);
    }
    line += "}";
  } else {
    line = std::string(level_name(level)) + " " + std::string(request_id) + " " +
           std::string(method) + " " + std::string(route) + " " + std::to_string(status) + " " +
           std::to_string(ms) + "ms " + std::string(user) + " " + std::string(detail);
  }
  logger().info(line);
}

}  // namespace onehop::api
