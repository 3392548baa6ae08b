#include "store/bucket_policy.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace onehop::store {

namespace {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// Calls `f` with each string of a string-or-array-of-strings value; malformed otherwise.
template <class F>
result<void> for_each_string(const json::value& v, F&& f) {
  if (const json::string* s = v.if_string()) {
    return f(std::string_view(*s));
  }
  const json::array* a = v.if_array();
  if (a == nullptr || a->empty()) {
    return parse_errc::malformed_policy;
  }
  for (const json::value& item : *a) {
    const json::string* s = item.if_string();
    if (s == nullptr) {
      return parse_errc::malformed_policy;
    }
    if (auto r = f(std::string_view(*s)); !r) {
      return r;
    }
  }
  return {};
}

result<void> check_principal(const json::value& v) {
  if (const json::string* s = v.if_string()) {
    return *s == "*" ? result<void>{} : result<void>{parse_errc::not_implemented};
  }
  const json::object* o = v.if_object();
  if (o == nullptr || o->empty()) {
    return parse_errc::malformed_policy;
  }
  for (const auto& [name, value] : *o) {
    if (name != "AWS") {
      return parse_errc::not_implemented;  // Service, Federated, CanonicalUser principals
    }
    if (auto r = for_each_string(value,
                                 [](std::string_view p) -> result<void> {
                                   if (p == "*") {
                                     return {};
                                   }
                                   return parse_errc::not_implemented;
                                 });
        !r) {
      return r;
    }
  }
  return {};
}

result<void> check_action(std::string_view action) {
  if (iequals(action, "s3:GetObject")) {
    return {};
  }
  if (action.size() > 3 && iequals(action.substr(0, 3), "s3:")) {
    return parse_errc::not_implemented;
  }
  return parse_errc::malformed_policy;
}

result<public_read_grant> parse_resource(std::string_view resource, std::string_view bucket) {
  constexpr std::string_view arn_prefix = "arn:aws:s3:::";
  if (!resource.starts_with(arn_prefix)) {
    return parse_errc::malformed_policy;
  }
  const std::string_view rest = resource.substr(arn_prefix.size());
  const std::size_t slash = rest.find('/');
  if (rest.substr(0, slash) != bucket) {
    return parse_errc::malformed_policy;  // another bucket (or a wildcard bucket name)
  }
  if (slash == std::string_view::npos) {
    return parse_errc::malformed_policy;  // the bucket itself: GetObject does not apply
  }
  const std::string_view path = rest.substr(slash + 1);
  const std::size_t wildcard = path.find_first_of("*?");
  if (wildcard == std::string_view::npos) {
    if (path.empty()) {
      return parse_errc::malformed_policy;
    }
    return public_read_grant{std::string(path), false};
  }
  if (path[wildcard] != '*' || wildcard + 1 != path.size()) {
    return parse_errc::not_implemented;
  }
  return public_read_grant{std::string(path.substr(0, wildcard)), true};
}

result<void> parse_statement(const json::value& v, std::string_view bucket,
                             std::vector<public_read_grant>& grants) {
  const json::object* st = v.if_object();
  if (st == nullptr) {
    return parse_errc::malformed_policy;
  }
  const json::value* effect = nullptr;
  const json::value* principal = nullptr;
  const json::value* action = nullptr;
  const json::value* resource = nullptr;
  for (const auto& [name, value] : *st) {
    if (name == "Sid") {
      if (!value.is_string()) {
        return parse_errc::malformed_policy;
      }
    } else if (name == "Effect") {
      effect = &value;
    } else if (name == "Principal") {
      principal = &value;
    } else if (name == "Action") {
      action = &value;
    } else if (name == "Resource") {
      resource = &value;
    } else if (name == "Condition" || name == "NotPrincipal" || name == "NotAction" ||
               name == "NotResource") {
      return parse_errc::not_implemented;
    } else {
      return parse_errc::malformed_policy;
    }
  }
  if (effect == nullptr || principal == nullptr || action == nullptr || resource == nullptr) {
    return parse_errc::malformed_policy;
  }
  const json::string* effect_text = effect->if_string();
  if (effect_text == nullptr || (*effect_text != "Allow" && *effect_text != "Deny")) {
    return parse_errc::malformed_policy;
  }
  if (*effect_text == "Deny") {
    return parse_errc::not_implemented;
  }
  if (auto r = check_principal(*principal); !r) {
    return r;
  }
  if (auto r = for_each_string(*action, check_action); !r) {
    return r;
  }
  return for_each_string(*resource, [&](std::string_view text) -> result<void> {
    auto grant = parse_resource(text, bucket);
    if (!grant) {
      return grant.error();
    }
    grants.push_back(std::move(*grant));
    return {};
  });
}

}  // namespace

result<bucket_policy> parse_bucket_policy(std::string_view text, std::string_view bucket) {
  if (text.size() > max_bucket_policy_bytes) {
    return parse_errc::policy_too_large;
  }
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) {
    return parse_errc::malformed_policy;
  }
  const json::object* root = doc.if_object();
  if (root == nullptr) {
    return parse_errc::malformed_policy;
  }
  bucket_policy policy;
  const json::value* statements = nullptr;
  for (const auto& [name, value] : *root) {
    if (name == "Version") {
      const json::string* version = value.if_string();
      if (version == nullptr || (*version != "2012-10-17" && *version != "2008-10-17")) {
        return parse_errc::malformed_policy;
      }
    } else if (name == "Id") {
      if (!value.is_string()) {
        return parse_errc::malformed_policy;
      }
    } else if (name == "Statement") {
      statements = &value;
    } else {
      return parse_errc::malformed_policy;
    }
  }
  if (statements == nullptr) {
    return parse_errc::malformed_policy;
  }
  if (const json::array* list = statements->if_array()) {
    if (list->empty()) {
      return parse_errc::malformed_policy;
    }
    for (const json::value& st : *list) {
      if (auto r = parse_statement(st, bucket, policy.grants); !r) {
        return r.error();
      }
    }
  } else if (auto r = parse_statement(*statements, bucket, policy.grants); !r) {
    return r.error();
  }
  policy.text = text;
  return policy;
}

bool allows_anonymous_read(const bucket_policy& policy, std::string_view key) noexcept {
  return std::ranges::any_of(policy.grants, [key](const public_read_grant& g) {
    return g.is_prefix ? key.starts_with(g.key_or_prefix) : key == g.key_or_prefix;
  });
}

}  // namespace onehop::store
