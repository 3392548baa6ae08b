#pragma once
// Errors of the HTTP plumbing that reach a handler: reading a request body or parsing a listen
// address. Network failures that only end a connection never reach application code.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <type_traits>

namespace onehop::http {

enum class errc {
  body_too_large = 1,  // the body passed the limit set with request::body_limit
  timeout,             // the client sent nothing for read_timeout
  incomplete_body,     // the connection ended before the declared body did
  bad_request,         // malformed body framing (bad chunk header, ...)
  connection_error,    // any other socket failure
  invalid_address,     // a listen address that parse_listen_address rejects
};

const boost::system::error_category& http_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace onehop::http

template <>
struct boost::system::is_error_code_enum<onehop::http::errc> : std::true_type {};
