#pragma once
// check(ok) for the fuzz targets: an invariant that fails aborts with the target's file and line,
// which libFuzzer reports as a crash and saves the input for.

#include <cstdio>
#include <cstdlib>

namespace onehop::fuzz {

inline void check_at(bool ok, const char* file, int line) {
  if (!ok) {
    std::fprintf(stderr, "%s:%d: fuzz check failed\n", file, line);
    std::abort();
  }
}

}  // namespace onehop::fuzz

#define check(ok) ::onehop::fuzz::check_at((ok), __FILE__, __LINE__)
