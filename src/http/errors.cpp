#include "http/errors.hpp"

#include <string>

namespace onehop::http {

namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "onehop.http"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::body_too_large:
        return "request body too large";
      case errc::timeout:
        return "timed out reading the request";
      case errc::incomplete_body:
        return "connection closed before the end of the body";
      case errc::bad_request:
        return "malformed request body";
      case errc::connection_error:
        return "connection error";
      case errc::invalid_address:
        return "invalid listen address";
    }
    return "unknown http error";
  }
};

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace onehop::http
