// Fuzzes static_files::safe_relative_path, the one check between a request path and the web
// app's folder: whatever it accepts is relative, has no NUL or backslash, no empty, "." or ".."
// segment however it was percent-encoded, and stays inside the root once joined and normalised.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "api/static_files.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto relative = onehop::api::static_files::safe_relative_path(raw);
  if (!relative) {
    return 0;
  }
  check(!raw.empty() && raw.front() == '/');
  check(!relative->empty() && relative->front() != '/');
  check(relative->find('\0') == std::string::npos && relative->find('\\') == std::string::npos);
  std::string_view rest = *relative;
  for (;;) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    check(!segment.empty() && segment != "." && segment != "..");
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  const std::filesystem::path root("/srv/web");
  const auto joined = (root / *relative).lexically_normal();
  const auto inside = joined.lexically_relative(root);
  check(!inside.empty() && *inside.begin() != "..");
  return 0;
}
