#include "sigv4/canonical.hpp"

#include <algorithm>

#include "sigv4/encoding.hpp"

namespace onehop::sigv4 {

struct canonical_detail {
  using entry = canonical_scratch::entry;

  static std::string_view name(const canonical_scratch& s, const entry& e) noexcept {
    return std::string_view(s.bytes_).substr(e.name_offset, e.name_size);
  }
  static std::string_view value(const canonical_scratch& s, const entry& e) noexcept {
    return std::string_view(s.bytes_).substr(e.value_offset, e.value_size);
  }

  // Requests carry a handful of parameters or headers: insertion sort beats std::sort there and,
  // being stable, keeps repeated header names in the order received.
  template <class Less>
  static void small_stable_sort(std::vector<entry>& v, Less less) {
    if (v.size() > 16) {
      std::stable_sort(v.begin(), v.end(), less);
      return;
    }
    for (std::size_t i = 1; i < v.size(); ++i) {
      const entry e = v[i];
      std::size_t j = i;
      while (j > 0 && less(e, v[j - 1])) {
        v[j] = v[j - 1];
        --j;
      }
      v[j] = e;
    }
  }

  static void add_encoded(canonical_scratch& s, std::string_view decoded_name,
                          std::string_view decoded_value) {
    entry e{};
    e.name_offset = static_cast<std::uint32_t>(s.bytes_.size());
    uri_encode_append(s.bytes_, decoded_name, false);
    e.name_size = static_cast<std::uint32_t>(s.bytes_.size() - e.name_offset);
    e.value_offset = static_cast<std::uint32_t>(s.bytes_.size());
    uri_encode_append(s.bytes_, decoded_value, false);
    e.value_size = static_cast<std::uint32_t>(s.bytes_.size() - e.value_offset);
    s.entries_.push_back(e);
  }

  static void add_verbatim(canonical_scratch& s, std::string_view name, std::string_view value) {
    entry e{};
    e.name_offset = static_cast<std::uint32_t>(s.bytes_.size());
    s.bytes_.append(name);
    e.name_size = static_cast<std::uint32_t>(name.size());
    e.value_offset = static_cast<std::uint32_t>(s.bytes_.size());
    s.bytes_.append(value);
    e.value_size = static_cast<std::uint32_t>(value.size());
    s.entries_.push_back(e);
  }

  static void emit_query(std::string& out, canonical_scratch& s) {
    small_stable_sort(s.entries_, [&s](const entry& a, const entry& b) {
      const auto an = name(s, a);
      const auto bn = name(s, b);
      if (an != bn) {
        return an < bn;
      }
      return value(s, a) < value(s, b);
    });
    bool first = true;
    for (const entry& e : s.entries_) {
      if (!first) {
        out.push_back('&');
      }
      first = false;
      out.append(name(s, e));
      out.push_back('=');
      out.append(value(s, e));
    }
  }

  static result<void> uri_from_wire(std::string& out, std::string_view raw, canonical_scratch& s) {
    s.decoded_.clear();
    if (auto r = percent_decode_append(s.decoded_, raw, false); !r) {
      return r;
    }
    append_canonical_uri(out, s.decoded_);
    return {};
  }

  static void reset(canonical_scratch& s) {
    s.bytes_.clear();
    s.entries_.clear();
  }

  static result<void> query_from_wire(std::string& out, std::string_view raw, canonical_scratch& s,
                                      bool drop_signature, bool plus_is_space) {
    reset(s);
    std::string& decoded = s.decoded_;
    while (!raw.empty()) {
      const std::size_t amp = raw.find('&');
      const std::string_view segment = raw.substr(0, amp);
      raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
      if (segment.empty()) {
        continue;
      }
      const std::size_t eq = segment.find('=');
      const std::string_view raw_name = segment.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view{} : segment.substr(eq + 1);
      decoded.clear();
      if (auto r = percent_decode_append(decoded, raw_name, plus_is_space); !r) {
        return r;
      }
      const std::size_t name_size = decoded.size();
      if (auto r = percent_decode_append(decoded, raw_value, plus_is_space); !r) {
        return r;
      }
      const std::string_view dn = std::string_view(decoded).substr(0, name_size);
      if (drop_signature && dn == "X-Amz-Signature") {
        continue;
      }
      add_encoded(s, dn, std::string_view(decoded).substr(name_size));
    }
    emit_query(out, s);
    return {};
  }

  static void headers(std::string& headers_out, std::string& signed_out,
                      std::span<const header_field> fields, canonical_scratch& s) {
    reset(s);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      entry e{};
      e.name_offset = static_cast<std::uint32_t>(s.bytes_.size());
      s.bytes_.resize(s.bytes_.size() + fields[i].name.size());
      char* p = s.bytes_.data() + e.name_offset;
      for (char c : fields[i].name) {
        *p++ = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      }
      e.name_size = static_cast<std::uint32_t>(fields[i].name.size());
      e.value_offset = static_cast<std::uint32_t>(i);
      s.entries_.push_back(e);
    }
    small_stable_sort(s.entries_,
                      [&s](const entry& a, const entry& b) { return name(s, a) < name(s, b); });
    std::string_view previous;
    bool first = true;
    for (const entry& e : s.entries_) {
      const std::string_view n = name(s, e);
      if (!first && n == previous) {
        headers_out.push_back(',');
      } else {
        if (!first) {
          headers_out.push_back('\n');
          signed_out.push_back(';');
        }
        headers_out.append(n);
        headers_out.push_back(':');
        signed_out.append(n);
        previous = n;
      }
      first = false;
      append_canonical_header_value(headers_out, fields[e.value_offset].value);
    }
    if (!first) {
      headers_out.push_back('\n');
    }
  }
};

void append_canonical_uri(std::string& out, std::string_view decoded_path) {
  if (decoded_path.empty()) {
    out.push_back('/');
    return;
  }
  uri_encode_append(out, decoded_path, true);
}

result<void> append_canonical_uri_from_wire(std::string& out, std::string_view raw_path,
                                            canonical_scratch& scratch) {
  return canonical_detail::uri_from_wire(out, raw_path, scratch);
}

void append_canonical_query(std::string& out, std::span<const query_param> params,
                            canonical_scratch& scratch) {
  canonical_detail::reset(scratch);
  for (const query_param& p : params) {
    canonical_detail::add_encoded(scratch, p.name, p.value);
  }
  canonical_detail::emit_query(out, scratch);
}

void append_canonical_query(std::string& out, std::span<const query_param> params,
                            std::span<const query_param> encoded_params,
                            canonical_scratch& scratch) {
  canonical_detail::reset(scratch);
  for (const query_param& p : params) {
    canonical_detail::add_encoded(scratch, p.name, p.value);
  }
  for (const query_param& p : encoded_params) {
    canonical_detail::add_verbatim(scratch, p.name, p.value);
  }
  canonical_detail::emit_query(out, scratch);
}

result<void> append_canonical_query_from_wire(std::string& out, std::string_view raw_query,
                                              canonical_scratch& scratch, bool drop_signature,
                                              bool plus_is_space) {
  return canonical_detail::query_from_wire(out, raw_query, scratch, drop_signature, plus_is_space);
}

void append_canonical_headers(std::string& headers_out, std::string& signed_out,
                              std::span<const header_field> headers, canonical_scratch& scratch) {
  canonical_detail::headers(headers_out, signed_out, headers, scratch);
}

void append_canonical_header_value(std::string& out, std::string_view value) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t b = 0;
  std::size_t e = value.size();
  while (b < e && is_space(value[b])) {
    ++b;
  }
  while (e > b && is_space(value[e - 1])) {
    --e;
  }
  // Copy runs between whitespace in one append each: most values have no run to collapse.
  std::size_t run_start = b;
  std::size_t i = b;
  while (i < e) {
    if (!is_space(value[i])) {
      ++i;
      continue;
    }
    out.append(value.data() + run_start, i - run_start);
    out.push_back(' ');
    while (i < e && is_space(value[i])) {
      ++i;
    }
    run_start = i;
  }
  out.append(value.data() + run_start, e - run_start);
}

void append_canonical_request(std::string& out, std::string_view method,
                              std::string_view canonical_uri, std::string_view canonical_query,
                              std::string_view canonical_headers, std::string_view signed_headers,
                              std::string_view payload_hash) {
  out.reserve(out.size() + method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 5);
  out.append(method);
  out.push_back('\n');
  out.append(canonical_uri);
  out.push_back('\n');
  out.append(canonical_query);
  out.push_back('\n');
  out.append(canonical_headers);
  out.push_back('\n');
  out.append(signed_headers);
  out.push_back('\n');
  out.append(payload_hash);
}

void append_scope(std::string& out, const credential_scope& scope) {
  out.append(scope.date);
  out.push_back('/');
  out.append(scope.region);
  out.push_back('/');
  out.append(scope.service);
  out.append("/aws4_request");
}

void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           const sha256_digest& canonical_request_hash) {
  out.append(algorithm);
  out.push_back('\n');
  out.append(amz_date);
  out.push_back('\n');
  out.append(scope);
  out.push_back('\n');
  append_hex(out, canonical_request_hash);
}

}  // namespace onehop::sigv4
