#pragma once
// Concatenation for messages and test inputs. Chains of std::string operator+ that start with a
// literal trip g++ 12's -Wrestrict at -O3 (GCC bug 105651, a false "overlapping memcpy"), and
// warnings are errors in this project; appending to one string avoids the pattern.

#include <initializer_list>
#include <string>
#include <string_view>

namespace onehop::api {

inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const auto p : parts) {
    size += p.size();
  }
  std::string out;
  out.reserve(size);
  for (const auto p : parts) {
    out.append(p);
  }
  return out;
}

}  // namespace onehop::api
