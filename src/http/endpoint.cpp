#include "http/endpoint.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <string>

namespace onehop::http {

namespace asio = boost::asio;

result<asio::ip::tcp::endpoint> parse_listen_address(std::string_view text) {
  if (text.size() > max_listen_address_size) {
    return errc::invalid_address;
  }
  // The port follows the last colon; IPv6 hosts are bracketed so their colons come before it.
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return errc::invalid_address;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (port_text.empty()) {
    return errc::invalid_address;
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return errc::invalid_address;
  }

  asio::ip::address address;
  if (host.empty()) {
    address = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return errc::invalid_address;
    }
    boost::system::error_code parse_ec;
    const auto v6 =
        asio::ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), parse_ec);
    if (parse_ec) {
      return errc::invalid_address;
    }
    address = v6;
  } else {
    boost::system::error_code parse_ec;
    const auto v4 = asio::ip::make_address_v4(std::string(host), parse_ec);
    if (parse_ec) {
      return errc::invalid_address;
    }
    address = v4;
  }
  return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace onehop::http
