#include "store/listing.hpp"

#include <array>

#include "sigv4/encoding.hpp"

namespace onehop::store {

namespace {

constexpr char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::optional<std::string> base64url_decode(std::string_view in) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(b64url[i])] = i;
  }
  if (in.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    const int v = table[static_cast<unsigned char>(ch)];
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, so each token has exactly one spelling.
  if ((acc & ((1u << bits) - 1)) != 0) {
    return std::nullopt;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string encode_continuation_token(bool is_prefix, std::string_view item) {
  std::string raw;
  raw.reserve(item.size() + 1);
  raw.push_back(is_prefix ? 'p' : 'k');
  raw.append(item);
  return sigv4::base64url_encode(raw);
}

std::optional<token_position> decode_continuation_token(std::string_view token) {
  if (token.empty() || token.size() > max_continuation_token_bytes) {
    return std::nullopt;
  }
  auto raw = base64url_decode(token);
  if (!raw || raw->empty() || (raw->front() != 'k' && raw->front() != 'p')) {
    return std::nullopt;
  }
  return token_position{raw->front() == 'p', raw->substr(1)};
}

std::string prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) {
    s.pop_back();
  }
  if (!s.empty()) {
    s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  }
  return s;
}

result<list_page> list_objects(const object_index& index, const list_params& params) {
  list_page page;
  std::optional<token_position> resume;
  if (params.continuation_token) {
    resume = decode_continuation_token(*params.continuation_token);
    if (!resume) {
      return errc::invalid_argument;
    }
  }
  const std::size_t max_keys = std::min(params.max_keys, max_list_keys);
  if (max_keys == 0) {
    return page;
  }
  const std::string_view prefix = params.prefix;
  const std::string_view delimiter = params.delimiter;

  auto it = index.lower_bound(prefix);
  if (resume || !params.start_after.empty()) {
    // Start at whichever is later: the first key under the prefix or the first after the marker.
    const auto after = index.upper_bound(resume ? std::string_view(resume->item)
                                                : std::string_view(params.start_after));
    if (after == index.end() || (it != index.end() && after->first > it->first)) {
      it = after;
    }
  }

  bool last_is_prefix = false;
  while (it != index.end() && starts_with(it->first, prefix)) {
    const std::string& key = it->first;
    if (!delimiter.empty()) {
      const auto pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) {
        const std::string_view common = std::string_view(key).substr(0, pos + delimiter.size());
        if (resume && resume->is_prefix && common == resume->item) {
          // Already reported on the previous page.
          const std::string next = prefix_successor(common);
          it = next.empty() ? index.end() : index.lower_bound(next);
          continue;
        }
        if (page.key_count() == max_keys) {
          page.is_truncated = true;
          break;
        }
        page.common_prefixes.emplace_back(common);
        last_is_prefix = true;
        const std::string next = prefix_successor(common);
        it = next.empty() ? index.end() : index.lower_bound(next);
        continue;
      }
    }
    if (page.key_count() == max_keys) {
      page.is_truncated = true;
      break;
    }
    page.contents.push_back(list_entry{key, it->second});
    last_is_prefix = false;
    ++it;
  }
  if (page.is_truncated) {
    page.next_continuation_token = encode_continuation_token(
        last_is_prefix, last_is_prefix ? page.common_prefixes.back() : page.contents.back().key);
  }
  return page;
}

}  // namespace onehop::store
