#include "cli/presign_input.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <stdexcept>
#include <string>

#include "sigv4/encoding.hpp"
#include "sigv4/time.hpp"

namespace onehop::cli {
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

bool is_space_or_tab(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_or_tab(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space_or_tab(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

// The query-auth parameters the signer writes itself; a user's copy would make two of them.
constexpr std::array<std::string_view, 7> reserved_query_names = {
    "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",           "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token",
};

input_error error(std::string message) {
  return input_error{std::move(message)};
}

}  // namespace

void throw_exception_from_error(const input_error& e, const boost::source_location&) {
  throw std::logic_error("unchecked input_result: " + e.message);
}

input_result<header_arg> parse_header_arg(std::string_view text) {
  if (text.size() > max_header_arg_bytes) {
    return error("--header is " + std::to_string(text.size()) + " bytes, over the " +
                 std::to_string(max_header_arg_bytes) + "-byte limit");
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return error("--header must be 'Name: value', got no ':'");
  }
  const std::string_view name = text.substr(0, colon);
  if (name.empty()) {
    return error("--header must be 'Name: value', got an empty name");
  }
  if (!std::all_of(name.begin(), name.end(), is_tchar)) {
    return error("--header name '" + std::string{trim(name)} +
                 "' has a character not allowed in an HTTP header name");
  }
  if (!sigv4::is_valid_utf8(text)) {
    return error("--header " + std::string{name} + " is not valid UTF-8");
  }
  const std::string_view value = trim(text.substr(colon + 1));
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return error("--header " + std::string{name} + " has a control character in its value");
    }
  }
  header_arg out;
  out.name.reserve(name.size());
  std::transform(name.begin(), name.end(), std::back_inserter(out.name), to_lower);
  if (out.name == "host" || out.name == "authorization" || out.name == "x-amz-date" ||
      out.name == "x-amz-content-sha256" || out.name == "x-amz-security-token") {
    return error("--header " + std::string{name} + " cannot be set: the signer writes it");
  }
  out.value = value;
  return out;
}

input_result<query_arg> parse_query_arg(std::string_view text) {
  if (text.size() > max_query_arg_bytes) {
    return error("--query is " + std::to_string(text.size()) + " bytes, over the " +
                 std::to_string(max_query_arg_bytes) + "-byte limit");
  }
  if (!sigv4::is_valid_utf8(text)) {
    return error("--query is not valid UTF-8");
  }
  const auto equals = text.find('=');
  const std::string_view name = text.substr(0, equals);
  if (name.empty()) {
    return error("--query must be 'name=value' or 'name', got an empty name");
  }
  for (const auto reserved : reserved_query_names) {
    if (iequals(name, reserved)) {
      return error("--query " + std::string{name} + " cannot be set: the signer writes it");
    }
  }
  query_arg out;
  out.name = name;
  if (equals != std::string_view::npos) {
    out.value = text.substr(equals + 1);
  }
  return out;
}

input_result<void> check_unique_headers(std::span<const header_arg> headers) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (headers[i].name == headers[j].name) {
        return error("--header " + headers[i].name + " is given twice");
      }
    }
  }
  return {};
}

input_result<void> check_unique_queries(std::span<const query_arg> queries) {
  for (std::size_t i = 0; i < queries.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (queries[i].name == queries[j].name) {
        return error("--query " + queries[i].name + " is given twice");
      }
    }
  }
  return {};
}

input_result<std::chrono::sys_seconds> parse_date_arg(std::string_view text) {
  auto parsed = sigv4::parse_amz_date(text);
  if (!parsed) {
    return error("--date must be a valid UTC time written YYYYMMDDTHHMMSSZ, got '" +
                 std::string{text.substr(0, 64)} + "'");
  }
  return *parsed;
}

input_result<void> check_expires(std::int64_t seconds) {
  if (seconds < min_expires || seconds > max_expires) {
    return error("--expires must be " + std::to_string(min_expires) + ".." +
                 std::to_string(max_expires) + " seconds (7 days), got " + std::to_string(seconds));
  }
  return {};
}

input_result<void> check_max_size(std::uint64_t bytes) {
  if (bytes > max_post_object_bytes) {
    return error("--max-size must be at most " + std::to_string(max_post_object_bytes) +
                 " bytes (5 GiB, S3's limit for a POST upload), got " + std::to_string(bytes));
  }
  return {};
}

input_result<void> check_region(std::string_view region) {
  const bool well_formed = !region.empty() && region.size() <= max_region_bytes &&
                           std::all_of(region.begin(), region.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '-';
                           });
  if (!well_formed) {
    return error("the region must be 1.." + std::to_string(max_region_bytes) +
                 " letters, digits or '-' (like us-east-1), got '" +
                 std::string{region.substr(0, 80)} + "'");
  }
  return {};
}

input_result<void> check_key(std::string_view key) {
  if (key.empty()) {
    return error("the key is empty");
  }
  if (key.size() > max_key_bytes) {
    return error("the key is " + std::to_string(key.size()) + " bytes, over S3's " +
                 std::to_string(max_key_bytes) + "-byte limit");
  }
  if (!sigv4::is_valid_utf8(key)) {
    return error("the key is not valid UTF-8");
  }
  return {};
}

bool is_aws_host(std::string_view host) noexcept {
  for (const std::string_view domain :
       {std::string_view{"amazonaws.com"}, std::string_view{"amazonaws.com.cn"}}) {
    if (host == domain) {
      return true;
    }
    if (host.size() > domain.size() && host.ends_with(domain) &&
        host[host.size() - domain.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

sigv4::addressing_style default_addressing(const sigv4::s3_endpoint& endpoint,
                                           std::string_view bucket) noexcept {
  if (is_aws_host(endpoint.host) &&
      sigv4::validate_bucket(bucket, sigv4::addressing_style::virtual_hosted)) {
    return sigv4::addressing_style::virtual_hosted;
  }
  return sigv4::addressing_style::path;
}

}  // namespace onehop::cli
