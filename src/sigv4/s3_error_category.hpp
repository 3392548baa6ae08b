#pragma once
// One error_category implementation for every error enum that has an S3 wire mapping: the
// message is "<S3 code>: <S3 message>" from the enum's `to_s3_error` (found by ADL).

#include <boost/system/error_category.hpp>
#include <string>

namespace onehop::sigv4 {

template <class Enum>
class s3_error_category final : public boost::system::error_category {
 public:
  explicit constexpr s3_error_category(const char* name) noexcept : name_(name) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int ev) const override {
    const auto info = to_s3_error(static_cast<Enum>(ev));
    return std::string(info.code) + ": " + std::string(info.message);
  }

 private:
  const char* name_;
};

}  // namespace onehop::sigv4
