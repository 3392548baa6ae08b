#pragma once
// Parses a listen address given on the command line or in a config file.
//
// Grammar (at most max_listen_address_size bytes, no DNS lookup):
//   address = host ":" port
//   host    = IPv4 literal | "[" IPv6 literal "]" | "localhost" | ""   ("" means 0.0.0.0)
//   port    = 1*DIGIT with a value in 0..65535 (0 asks the kernel for a free port)

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string_view>

#include "http/errors.hpp"

namespace onehop::http {

inline constexpr std::size_t max_listen_address_size = 256;

result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

}  // namespace onehop::http
