#include "api/upload_token.hpp"

#include <array>

#include "api/auth_base64url.hpp"
#include "api/ids.hpp"
#include "sigv4/encoding.hpp"

namespace onehop::api {
namespace {

constexpr std::uint8_t token_version = 1;
constexpr std::size_t mac_bytes = 16;

api_error unknown() {
  return make_error(errc::not_found, "no such upload");
}

void put_u64(std::string& out, std::uint64_t v) {
  char bytes[8];  // big-endian
  for (int i = 7; i >= 0; --i, v >>= 8) {
    bytes[i] = static_cast<char>(v & 0xff);
  }
  out.append(bytes, sizeof bytes);
}

struct reader {
  std::string_view data;
  bool ok = true;

  std::uint64_t u(std::size_t n) {
    if (data.size() < n) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = (v << 8) | static_cast<unsigned char>(data[i]);
    }
    data.remove_prefix(n);
    return v;
  }
  std::string bytes(std::size_t n) {
    if (data.size() < n) {
      ok = false;
      return {};
    }
    std::string s(data.substr(0, n));
    data.remove_prefix(n);
    return s;
  }
};

std::string mac_of(const sigv4::hmac_sha256_key& key, std::string_view signed_part) {
  const auto digest = key.sign(signed_part);
  return sigv4::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), mac_bytes));
}

}  // namespace

bool plausible_upload_ref(std::string_view id) noexcept {
  if (id.size() < id_length || id.size() > max_token_size ||
      !valid_id(id.substr(0, id_length), upload_id_prefix)) {
    return false;
  }
  if (id.size() == id_length) {
    return true;
  }
  if (id[id_length] != '.') {
    return false;
  }
  for (char c : id.substr(id_length)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

upload_token_signer::upload_token_signer(std::string_view secret) : key_(secret) {}

result<void> upload_token_signer::issue(std::string& out, const upload_claims& c) const {
  if (c.body.size() != id_body_length || c.user.size() > 255 || c.content_type.size() > 255 ||
      c.filename.size() > 0xffff) {
    return make_error(errc::invalid_request, "upload too large to describe in a token");
  }
  thread_local std::string payload;  // reused: this runs for every upload started
  payload.clear();
  payload.push_back(static_cast<char>(token_version));
  put_u64(payload, static_cast<std::uint64_t>(c.expires.time_since_epoch().count()));
  put_u64(payload, c.size);
  payload.push_back(c.post ? 1 : 0);
  payload.push_back(static_cast<char>(c.user.size()));
  payload += c.user;
  payload.push_back(static_cast<char>(c.content_type.size()));
  payload += c.content_type;
  if (c.sha256.empty()) {
    payload.push_back(0);
  } else {
    auto raw = sigv4::base64_decode(c.sha256);
    if (!raw || raw->size() != 32) {
      return make_error(errc::invalid_request, "sha256: not 32 bytes of base64");
    }
    payload.push_back(32);
    payload += *raw;
  }
  payload.push_back(static_cast<char>(c.filename.size() >> 8));
  payload.push_back(static_cast<char>(c.filename.size() & 0xff));
  payload += c.filename;

  const std::size_t start = out.size();
  out += "u_";
  out += c.body;
  out += '.';
  sigv4::base64url_encode_append(out, payload);
  const auto digest = key_.sign(std::string_view(out).substr(start));
  out += '.';
  sigv4::base64url_encode_append(
      out, std::string_view(reinterpret_cast<const char*>(digest.data()), mac_bytes));
  if (out.size() - start > max_token_size) {
    out.resize(start);
    return make_error(errc::invalid_request, "filename: too long for an upload id");
  }
  return {};
}

result<upload_claims> upload_token_signer::open(std::string_view token) const {
  if (token.size() > max_token_size) {
    return unknown();
  }
  const auto last_dot = token.rfind('.');
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot) {
    return unknown();
  }
  const std::string_view id = token.substr(0, first_dot);
  const std::string_view signed_part = token.substr(0, last_dot);
  const std::string_view mac = token.substr(last_dot + 1);
  if (!valid_id(id, upload_id_prefix) ||
      !sigv4::constant_time_equal(mac, mac_of(key_, signed_part))) {
    return unknown();
  }
  auto payload = base64url_decode(token.substr(first_dot + 1, last_dot - first_dot - 1));
  if (!payload) {
    return unknown();
  }
  reader r{*payload};
  upload_claims c;
  c.body = std::string(id_body(id));
  if (r.u(1) != token_version) {
    return unknown();
  }
  c.expires = std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(r.u(8))));
  c.size = r.u(8);
  c.post = r.u(1) == 1;
  c.user = r.bytes(r.u(1));
  c.content_type = r.bytes(r.u(1));
  const auto sha_len = r.u(1);
  if (sha_len != 0 && sha_len != 32) {
    return unknown();
  }
  const std::string sha = r.bytes(sha_len);
  if (!sha.empty()) {
    c.sha256 = sigv4::base64_encode(sha);
  }
  c.filename = r.bytes(r.u(2));
  if (!r.ok || !r.data.empty()) {
    return unknown();
  }
  return c;
}

}  // namespace onehop::api
