#include "store/cors.hpp"

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>

#include "store/xml.hpp"

namespace onehop::store {

namespace {

constexpr std::string_view vary_value =
    "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

constexpr std::string_view forbidden_message =
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
    "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
    "are not whitelisted by the resource's CORS spec.";

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const std::size_t last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  return out;
}

std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool is_supported_method(std::string_view m) {
  return m == "GET" || m == "PUT" || m == "POST" || m == "DELETE" || m == "HEAD";
}

std::size_t count_stars(std::string_view s) {
  return static_cast<std::size_t>(std::ranges::count(s, '*'));
}

result<cors_rule> parse_rule(const pugi::xml_node& node) {
  cors_rule rule;
  bool has_id = false;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = local_name(c);
    const std::string_view value = trim(c.child_value());
    if (name == "AllowedOrigin") {
      if (value.empty()) {
        return parse_errc::malformed_xml;
      }
      if (count_stars(value) > 1) {
        return parse_errc::invalid_request;
      }
      rule.allowed_origins.emplace_back(value);
    } else if (name == "AllowedMethod") {
      if (!is_supported_method(value)) {
        return parse_errc::invalid_request;
      }
      rule.allowed_methods.emplace_back(value);
    } else if (name == "AllowedHeader") {
      if (value.empty()) {
        return parse_errc::malformed_xml;
      }
      if (count_stars(value) > 1) {
        return parse_errc::invalid_request;
      }
      rule.allowed_headers.push_back(lowercase(value));
    } else if (name == "ExposeHeader") {
      if (value.empty()) {
        return parse_errc::malformed_xml;
      }
      if (count_stars(value) > 0) {
        return parse_errc::invalid_request;
      }
      rule.expose_headers.emplace_back(value);
    } else if (name == "MaxAgeSeconds") {
      if (rule.max_age_seconds) {
        return parse_errc::malformed_xml;
      }
      std::uint32_t seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
        return parse_errc::invalid_request;
      }
      rule.max_age_seconds = seconds;
    } else if (name == "ID") {
      if (has_id) {
        return parse_errc::malformed_xml;
      }
      if (value.size() > max_cors_rule_id_bytes) {
        return parse_errc::invalid_request;
      }
      has_id = true;
      rule.id = value;
    } else {
      return parse_errc::malformed_xml;
    }
  }
  if (rule.allowed_origins.empty() || rule.allowed_methods.empty()) {
    return parse_errc::malformed_xml;
  }
  return rule;
}

const std::string* matching_origin(const cors_rule& rule, std::string_view origin) {
  for (const std::string& allowed : rule.allowed_origins) {
    if (wildcard_match(allowed, origin)) {
      return &allowed;
    }
  }
  return nullptr;
}

bool allows_method(const cors_rule& rule, std::string_view method) {
  return std::ranges::find(rule.allowed_methods, method) != rule.allowed_methods.end();
}

bool allows_header(const cors_rule& rule, std::string_view header_lower) {
  return std::ranges::any_of(rule.allowed_headers, [&](const std::string& pattern) {
    return wildcard_match(pattern, header_lower);
  });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out.append(", ");
    }
    out.append(item);
  }
  return out;
}

// The headers common to preflight and actual responses for a matched rule.
void add_rule_headers(std::vector<http_header>& out, const cors_rule& rule,
                      const std::string& matched_origin, std::string_view origin) {
  if (matched_origin == "*") {
    out.push_back({"Access-Control-Allow-Origin", "*"});
  } else {
    out.push_back({"Access-Control-Allow-Origin", std::string(origin)});
    out.push_back({"Access-Control-Allow-Credentials", "true"});
  }
  out.push_back({"Access-Control-Allow-Methods", join(rule.allowed_methods)});
  if (!rule.expose_headers.empty()) {
    out.push_back({"Access-Control-Expose-Headers", join(rule.expose_headers)});
  }
  if (rule.max_age_seconds) {
    out.push_back({"Access-Control-Max-Age", std::to_string(*rule.max_age_seconds)});
  }
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view value) noexcept {
  const std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) {
    return pattern == value;
  }
  const std::string_view prefix = pattern.substr(0, star);
  const std::string_view suffix = pattern.substr(star + 1);
  return value.size() >= prefix.size() + suffix.size() && value.starts_with(prefix) &&
         value.ends_with(suffix);
}

result<cors_configuration> parse_cors_configuration(std::string_view text) {
  if (text.size() > max_cors_configuration_bytes) {
    return parse_errc::max_message_length_exceeded;
  }
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8)) {
    return parse_errc::malformed_xml;
  }
  const pugi::xml_node root = doc.document_element();
  if (!root || local_name(root) != "CORSConfiguration") {
    return parse_errc::malformed_xml;
  }
  cors_configuration config;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    if (local_name(c) != "CORSRule") {
      return parse_errc::malformed_xml;
    }
    if (config.rules.size() == max_cors_rules) {
      return parse_errc::invalid_request;
    }
    auto rule = parse_rule(c);
    if (!rule) {
      return rule.error();
    }
    config.rules.push_back(std::move(*rule));
  }
  if (config.rules.empty()) {
    return parse_errc::malformed_xml;
  }
  return config;
}

std::string render_cors_configuration(const cors_configuration& config) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration xmlns=")";
  out.append(xml::s3_namespace);
  out.append("\">");
  auto element = [&out](std::string_view name, std::string_view value) {
    out.push_back('<');
    out.append(name);
    out.push_back('>');
    xml::append_escaped(out, value);
    out.append("</");
    out.append(name);
    out.push_back('>');
  };
  for (const cors_rule& rule : config.rules) {
    out.append("<CORSRule>");
    if (!rule.id.empty()) {
      element("ID", rule.id);
    }
    for (const std::string& h : rule.allowed_headers) {
      element("AllowedHeader", h);
    }
    for (const std::string& m : rule.allowed_methods) {
      element("AllowedMethod", m);
    }
    for (const std::string& o : rule.allowed_origins) {
      element("AllowedOrigin", o);
    }
    for (const std::string& h : rule.expose_headers) {
      element("ExposeHeader", h);
    }
    if (rule.max_age_seconds) {
      element("MaxAgeSeconds", std::to_string(*rule.max_age_seconds));
    }
    out.append("</CORSRule>");
  }
  out.append("</CORSConfiguration>");
  return out;
}

preflight_result evaluate_preflight(const cors_configuration* config,
                                    const preflight_request& request) {
  preflight_result result;
  if (!request.origin || request.origin->empty()) {
    result.outcome = preflight_outcome::bad_request;
    result.message = "Insufficient information. Origin request header needed.";
    return result;
  }
  if (!request.request_method || !is_supported_method(*request.request_method)) {
    result.outcome = preflight_outcome::bad_request;
    result.message = "Invalid Access-Control-Request-Method";
    return result;
  }
  result.message = forbidden_message;
  if (config == nullptr) {
    return result;
  }

  std::vector<std::string> requested;
  std::string_view list = request.request_headers;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (!item.empty()) {
      requested.push_back(lowercase(item));
    }
  }

  for (const cors_rule& rule : config->rules) {
    const std::string* matched = matching_origin(rule, *request.origin);
    if (matched == nullptr || !allows_method(rule, *request.request_method)) {
      continue;
    }
    const bool headers_ok = std::ranges::all_of(
        requested, [&](const std::string& h) { return allows_header(rule, h); });
    if (!headers_ok) {
      continue;
    }
    result.outcome = preflight_outcome::allowed;
    result.message = {};
    add_rule_headers(result.headers, rule, *matched, *request.origin);
    if (!requested.empty()) {
      result.headers.push_back({"Access-Control-Allow-Headers", join(requested)});
    }
    result.headers.push_back({"Vary", std::string(vary_value)});
    return result;
  }
  return result;
}

std::vector<http_header> actual_request_headers(const cors_configuration* config,
                                                std::optional<std::string_view> origin,
                                                std::string_view method) {
  std::vector<http_header> headers;
  if (config == nullptr || !origin || origin->empty()) {
    return headers;
  }
  for (const cors_rule& rule : config->rules) {
    const std::string* matched = matching_origin(rule, *origin);
    if (matched != nullptr && allows_method(rule, method)) {
      add_rule_headers(headers, rule, *matched, *origin);
      break;
    }
  }
  headers.push_back({"Vary", std::string(vary_value)});
  return headers;
}

}  // namespace onehop::store
