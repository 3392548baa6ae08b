#pragma once
// Structured logs: one JSON object per line on stderr, through spdlog. Callers pass typed fields;
// nothing here ever receives a token, key, signature or signed URL.

#include <chrono>
#include <string_view>

namespace onehop::api {

enum class log_level { trace, debug, info, warn, error };

// Sets the level and the format ("json" or "text"). Call once at start-up.
void configure_logging(log_level level, bool json);
bool log_enabled(log_level level) noexcept;

// `{"time":...,"level":...,"event":..., "message":...}` (text format: plain).
void log_event(log_level level, std::string_view event, std::string_view message);

// One request: request id, route, method, status, duration, user (when authenticated), detail.
void log_request(std::string_view request_id, std::string_view route, std::string_view method,
                 unsigned status, std::chrono::steady_clock::duration elapsed,
                 std::string_view user, std::string_view detail);

}  // namespace onehop::api
