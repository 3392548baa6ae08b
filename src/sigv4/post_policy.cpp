#include "sigv4/post_policy.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "sigv4/canonical.hpp"
#include "sigv4/encoding.hpp"
#include "sigv4/signing_key.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {

namespace {

constexpr std::string_view filename_variable = "${filename}";

// Python's json.dumps with ensure_ascii=True: only ' '..'~' stay as they are; '"' and '\\' and
// the usual control characters get short escapes; everything else becomes \uXXXX (lower-case
// hex), with a surrogate pair above U+FFFF. Matching it byte for byte is what lets our policy
// base64 equal botocore's for the same inputs. Precondition: `s` is valid UTF-8.
void append_json_string(std::string& out, std::string_view s) {
  constexpr std::string_view hex = "0123456789abcdef";
  auto append_u = [&](unsigned cp) {
    out.append("\\u");
    for (int shift = 12; shift >= 0; shift -= 4) {
      out.push_back(hex[(cp >> shift) & 0xf]);
    }
  };
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      switch (b) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default:
          if (b < 0x20 || b == 0x7f) {
            append_u(b);
          } else {
            out.push_back(static_cast<char>(b));
          }
      }
      continue;
    }
    const std::size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    unsigned cp = b & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      append_u(0xd800 + (cp >> 10));
      append_u(0xdc00 + (cp & 0x3ff));
    } else {
      append_u(cp);
    }
  }
  out.push_back('"');
}

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

field_condition object_condition(std::string_view field, std::string_view value) {
  return field_condition{condition_op::eq, std::string(field), std::string(value), true};
}

}  // namespace

result<std::string> serialize_post_policy(const post_policy& policy) {
  if (!is_formattable(policy.expiration)) {
    return errc::invalid_argument;
  }
  std::string out;
  out.append("{\"expiration\": \"");
  append_iso8601(out, policy.expiration);
  out.append("\", \"conditions\": [");
  bool first = true;
  for (const policy_condition& c : policy.conditions) {
    if (!first) {
      out.append(", ");
    }
    first = false;
    if (const auto* range = std::get_if<content_length_range>(&c)) {
      out.append("[\"content-length-range\", ")
          .append(std::to_string(range->min))
          .append(", ")
          .append(std::to_string(range->max))
          .append("]");
      continue;
    }
    const auto& f = std::get<field_condition>(c);
    if (!is_valid_utf8(f.field) || !is_valid_utf8(f.value)) {
      return errc::invalid_argument;
    }
    if (f.object_form && f.op == condition_op::eq) {
      out.push_back('{');
      append_json_string(out, f.field);
      out.append(": ");
      append_json_string(out, f.value);
      out.push_back('}');
    } else {
      out.append(f.op == condition_op::eq ? "[\"eq\", " : "[\"starts-with\", ");
      append_json_string(out, std::string("$").append(f.field));
      out.append(", ");
      append_json_string(out, f.value);
      out.push_back(']');
    }
  }
  out.append("]}");
  return out;
}

std::string sign_post_policy(const hmac_sha256_key& signing_key, std::string_view policy_base64) {
  return to_hex(signing_key.sign(policy_base64));
}

result<presigned_post> presign_post(const post_form_request& request) {
  if (request.expires <= std::chrono::seconds{0} || !is_formattable(request.now)) {
    return errc::invalid_argument;
  }
  const std::string amz_date = format_amz_date(request.now);
  const std::string_view date = std::string_view(amz_date).substr(0, date_stamp_size);
  const credential_scope scope{date, request.region, "s3"};
  std::string credential(request.credentials.access_key_id);
  credential.push_back('/');
  append_scope(credential, scope);

  post_policy policy;
  policy.expiration = request.now + request.expires;
  policy.conditions.assign(request.conditions.begin(), request.conditions.end());
  policy.conditions.emplace_back(object_condition("bucket", request.bucket));
  if (request.key.ends_with(filename_variable)) {
    policy.conditions.emplace_back(field_condition{
        condition_op::starts_with, "key",
        std::string(request.key.substr(0, request.key.size() - filename_variable.size())), false});
  } else {
    policy.conditions.emplace_back(object_condition("key", request.key));
  }
  policy.conditions.emplace_back(object_condition("x-amz-algorithm", algorithm));
  policy.conditions.emplace_back(object_condition("x-amz-credential", credential));
  policy.conditions.emplace_back(object_condition("x-amz-date", amz_date));
  const bool has_token = !request.credentials.session_token.empty();
  if (has_token) {
    policy.conditions.emplace_back(
        object_condition("x-amz-security-token", request.credentials.session_token));
  }

  auto json = serialize_post_policy(policy);
  if (!json) {
    return json.error();
  }
  presigned_post out;
  out.policy_json = std::move(*json);
  out.policy_base64 = base64_encode(out.policy_json);
  sha256_digest derived = derive_signing_key(request.credentials.secret_access_key, scope);
  const hmac_sha256_key key(derived);
  OPENSSL_cleanse(derived.data(), derived.size());
  out.signature = sign_post_policy(key, out.policy_base64);

  out.fields.push_back({"key", std::string(request.key)});
  for (const form_field& f : request.fields) {
    out.fields.push_back({std::string(f.name), std::string(f.value)});
  }
  out.fields.push_back({"x-amz-algorithm", std::string(algorithm)});
  out.fields.push_back({"x-amz-credential", std::move(credential)});
  out.fields.push_back({"x-amz-date", amz_date});
  if (has_token) {
    out.fields.push_back({"x-amz-security-token", std::string(request.credentials.session_token)});
  }
  out.fields.push_back({"policy", out.policy_base64});
  out.fields.push_back({"x-amz-signature", out.signature});
  return out;
}

namespace {

// S3 refuses starts-with on these: their value is fixed by the request or by the signature.
constexpr std::array<std::string_view, 5> exact_only_fields = {
    "bucket", "success_action_status", "x-amz-algorithm", "x-amz-credential", "x-amz-date"};

bool parse_size(const boost::json::value& v, std::uint64_t& out) {
  if (v.is_uint64()) {
    out = v.get_uint64();
    return true;
  }
  if (v.is_int64()) {
    if (v.get_int64() < 0) {
      return false;
    }
    out = static_cast<std::uint64_t>(v.get_int64());
    return true;
  }
  if (v.is_string()) {
    // Some clients write the bounds as strings ("1048576"); accept plain digits only.
    const boost::json::string& s = v.get_string();
    if (s.empty() || s.size() > 19 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    out = 0;
    for (char c : s) {
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  }
  return false;
}

result<void> parse_condition(const boost::json::value& v, post_policy& policy) {
  if (const auto* obj = v.if_object()) {
    if (obj->empty()) {
      return errc::invalid_policy_document;
    }
    for (const auto& member : *obj) {
      const auto* value = member.value().if_string();
      if (value == nullptr || member.key().empty()) {
        return errc::invalid_policy_document;
      }
      policy.conditions.emplace_back(object_condition(member.key(), *value));
    }
    return {};
  }
  const auto* arr = v.if_array();
  if (arr == nullptr || arr->size() != 3 || !(*arr)[0].is_string()) {
    return errc::invalid_policy_document;
  }
  const boost::json::string& op = (*arr)[0].get_string();
  if (ascii_iequals(op, "content-length-range")) {
    content_length_range range;
    if (!parse_size((*arr)[1], range.min) || !parse_size((*arr)[2], range.max) ||
        range.min > range.max) {
      return errc::invalid_policy_document;
    }
    policy.conditions.emplace_back(range);
    return {};
  }
  field_condition c;
  if (ascii_iequals(op, "eq")) {
    c.op = condition_op::eq;
  } else if (ascii_iequals(op, "starts-with")) {
    c.op = condition_op::starts_with;
  } else {
    return errc::invalid_policy_document;
  }
  const auto* field = (*arr)[1].if_string();
  const auto* value = (*arr)[2].if_string();
  if (field == nullptr || value == nullptr || field->size() < 2 || (*field)[0] != '$') {
    return errc::invalid_policy_document;
  }
  c.field.assign(field->begin() + 1, field->end());
  c.value.assign(value->begin(), value->end());
  if (c.op == condition_op::starts_with &&
      std::any_of(exact_only_fields.begin(), exact_only_fields.end(),
                  [&](std::string_view name) { return ascii_iequals(c.field, name); })) {
    return errc::invalid_policy_document;
  }
  policy.conditions.emplace_back(std::move(c));
  return {};
}

}  // namespace

result<post_policy> parse_post_policy(std::string_view policy_base64, const policy_limits& limits) {
  if (policy_base64.size() > limits.policy_base64_bytes) {
    return errc::max_message_length_exceeded;
  }
  auto text = base64_decode(policy_base64);
  if (!text) {
    return errc::invalid_policy_document;
  }
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(*text, ec);
  if (ec) {
    return errc::invalid_policy_document;
  }
  const auto* root = doc.if_object();
  if (root == nullptr) {
    return errc::invalid_policy_document;
  }
  const auto* expiration = root->if_contains("expiration");
  const auto* conditions = root->if_contains("conditions");
  if (expiration == nullptr || !expiration->is_string() || conditions == nullptr ||
      !conditions->is_array()) {
    return errc::invalid_policy_document;
  }
  post_policy policy;
  auto when = parse_iso8601(expiration->get_string());
  if (!when) {
    return errc::invalid_policy_document;
  }
  policy.expiration = *when;
  for (const boost::json::value& c : conditions->get_array()) {
    if (auto r = parse_condition(c, policy); !r) {
      return r.error();
    }
    if (policy.conditions.size() > limits.conditions) {
      return errc::invalid_policy_document;
    }
  }
  return policy;
}

result<post_policy_decision> evaluate_post_policy(const post_policy& policy,
                                                  std::span<const form_field> fields,
                                                  std::string_view bucket,
                                                  std::string_view filename,
                                                  std::chrono::sys_seconds now) {
  if (now >= policy.expiration) {
    return errc::request_expired;
  }
  if (has_repeated_form_field(fields)) {
    return errc::invalid_argument;
  }
  auto find = [&](std::string_view name) { return find_form_field(fields, name); };
  const auto key_field = find("key");
  if (!key_field) {
    return errc::invalid_argument;
  }

  post_policy_decision decision;
  std::string_view rest = *key_field;
  for (std::size_t at; (at = rest.find(filename_variable)) != std::string_view::npos;) {
    decision.key.append(rest.substr(0, at)).append(filename);
    rest.remove_prefix(at + filename_variable.size());
  }
  decision.key.append(rest);

  for (const policy_condition& c : policy.conditions) {
    if (const auto* range = std::get_if<content_length_range>(&c)) {
      decision.length_range.min = std::max(decision.length_range.min, range->min);
      decision.length_range.max = std::min(decision.length_range.max, range->max);
      continue;
    }
    const auto& f = std::get<field_condition>(c);
    std::string_view actual;
    if (ascii_iequals(f.field, "bucket")) {
      actual = bucket;
    } else if (ascii_iequals(f.field, "key")) {
      actual = decision.key;
    } else {
      actual = find(f.field).value_or(std::string_view{});
    }
    const bool ok = f.op == condition_op::eq ? actual == f.value : actual.starts_with(f.value);
    if (!ok) {
      return errc::access_denied;
    }
  }

  for (const form_field& f : fields) {
    if (ascii_iequals(f.name, "policy") || ascii_iequals(f.name, "x-amz-signature") ||
        ascii_iequals(f.name, "file") || starts_with_ci(f.name, "x-ignore-")) {
      continue;
    }
    const bool covered =
        std::any_of(policy.conditions.begin(), policy.conditions.end(), [&](const auto& c) {
          const auto* fc = std::get_if<field_condition>(&c);
          return fc != nullptr && ascii_iequals(fc->field, f.name);
        });
    if (!covered) {
      return errc::access_denied;
    }
  }
  return decision;
}

result<void> check_content_length(const content_length_range& range, std::uint64_t size) noexcept {
  if (size < range.min) {
    return errc::entity_too_small;
  }
  if (size > range.max) {
    return errc::entity_too_large;
  }
  return {};
}

}  // namespace onehop::sigv4
