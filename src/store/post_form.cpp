#include "store/post_form.hpp"

#include <algorithm>

namespace onehop::store {

namespace {

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view trim(std::string_view s) noexcept {
  const std::size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// RFC 2046 bchars: DIGIT / ALPHA / "'()+_,-./:=?" and space (not last).
bool is_bchar(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// One `;`-separated parameter list of a header value (Content-Type or Content-Disposition):
// calls `f(name, value)` for each `name=value`, unquoting quoted-strings. False when malformed.
template <class F>
bool for_each_param(std::string_view params, F&& f) {
  std::size_t i = 0;
  while (i < params.size()) {
    while (i < params.size() && (params[i] == ' ' || params[i] == '\t' || params[i] == ';')) {
      ++i;
    }
    if (i == params.size()) {
      break;
    }
    const std::size_t eq = params.find('=', i);
    if (eq == std::string_view::npos) {
      return false;
    }
    const std::string_view name = trim(params.substr(i, eq - i));
    i = eq + 1;
    while (i < params.size() && (params[i] == ' ' || params[i] == '\t')) {
      ++i;
    }
    std::string value;
    if (i < params.size() && params[i] == '"') {
      ++i;
      bool closed = false;
      while (i < params.size()) {
        const char c = params[i++];
        if (c == '\\' && i < params.size()) {
          value.push_back(params[i++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) {
        return false;
      }
    } else {
      const std::size_t end = std::min(params.find(';', i), params.size());
      value = trim(params.substr(i, end - i));
      i = end;
    }
    if (name.empty()) {
      return false;
    }
    f(name, std::move(value));
  }
  return true;
}

}  // namespace

result<std::string> parse_multipart_boundary(std::string_view content_type,
                                             const post_form_limits& limits) {
  const std::size_t semi = content_type.find(';');
  if (semi == std::string_view::npos ||
      !iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) {
    return parse_errc::malformed_post_request;
  }
  std::string boundary;
  bool found = false;
  const bool ok =
      for_each_param(content_type.substr(semi + 1), [&](std::string_view name, std::string value) {
        if (!found && iequals(name, "boundary")) {
          boundary = std::move(value);
          found = true;
        }
      });
  if (!ok || !found || boundary.empty() || boundary.size() > limits.max_boundary_bytes ||
      boundary.back() == ' ' || !std::ranges::all_of(boundary, is_bchar)) {
    return parse_errc::malformed_post_request;
  }
  return boundary;
}

post_form_parser::post_form_parser(std::string_view boundary, const post_form_limits& limits)
    : limits_(limits), delimiter_("\r\n--") {
  delimiter_.append(boundary);
  // The first delimiter may open the body without a preceding CRLF; a virtual CRLF in front lets
  // one search find every delimiter.
  buf_ = "\r\n";
}

const std::string* post_form_parser::field(std::string_view name) const noexcept {
  for (const form_field& f : fields_) {
    if (iequals(f.name, name)) {
      return &f.value;
    }
  }
  return nullptr;
}

std::size_t post_form_parser::pre_data_so_far() const noexcept {
  return static_cast<std::size_t>(erased_ + buf_.size() - 2);
}

result<void> post_form_parser::finish() const {
  switch (state_) {
    case state::epilogue:
      return {};
    case state::closed_without_file:
      return parse_errc::incorrect_number_of_files;
    default:
      return parse_errc::malformed_post_request;
  }
}

result<void> post_form_parser::parse_part_headers(std::string_view headers) {
  bool has_disposition = false;
  bool has_name = false;
  std::string name;
  std::string filename;
  std::string content_type;
  while (!headers.empty()) {
    const std::size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return parse_errc::malformed_post_request;
    }
    const std::string_view header = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(header, "Content-Disposition")) {
      const std::size_t semi = value.find(';');
      if (has_disposition || !iequals(trim(value.substr(0, semi)), "form-data")) {
        return parse_errc::malformed_post_request;
      }
      has_disposition = true;
      if (semi != std::string_view::npos &&
          !for_each_param(value.substr(semi + 1), [&](std::string_view p, std::string v) {
            if (iequals(p, "name")) {
              has_name = true;
              name = std::move(v);
            } else if (iequals(p, "filename")) {
              filename = std::move(v);
            }
          })) {
        return parse_errc::malformed_post_request;
      }
    } else if (iequals(header, "Content-Type")) {
      content_type = value;
    }
  }
  if (!has_disposition || !has_name || name.empty()) {
    return parse_errc::malformed_post_request;
  }
  if (name.size() > limits_.max_field_name_bytes) {
    return parse_errc::max_post_pre_data_length_exceeded;
  }
  if (iequals(name, "file")) {
    file_seen_ = true;
    file_name_ = std::move(filename);
    file_content_type_ = std::move(content_type);
    state_ = state::file_data;
    return {};
  }
  if (fields_.size() == limits_.max_fields) {
    return parse_errc::malformed_post_request;
  }
  current_name_ = std::move(name);
  state_ = state::field_value;
  return {};
}

// Runs the state machine over buf_[pos_..]; returns an event, or need_more when the buffered
// bytes do not complete anything (`progressed` tells the caller whether state moved).
result<post_form_event> post_form_parser::step(bool& progressed) {
  progressed = false;
  const std::string_view buf(buf_);
  switch (state_) {
    case state::delimiter_search: {
      const std::size_t at = buf.find(delimiter_, pos_);
      if (at == std::string_view::npos) {
        if (pre_data_so_far() > limits_.max_pre_data_bytes) {
          return parse_errc::max_post_pre_data_length_exceeded;
        }
        return post_form_event{};
      }
      pos_ = at + delimiter_.size();
      state_ = state::after_delimiter;
      progressed = true;
      return post_form_event{};
    }
    case state::after_delimiter: {
      // "--" closes the form; otherwise optional transport padding then CRLF.
      std::size_t i = pos_;
      if (buf.size() - i < 2) {
        return post_form_event{};
      }
      if (buf.substr(i, 2) == "--") {
        pos_ = buf.size();
        state_ = state::closed_without_file;
        progressed = true;
        return post_form_event{};
      }
      while (i < buf.size() && (buf[i] == ' ' || buf[i] == '\t')) {
        ++i;
      }
      if (buf.size() - i < 2) {
        if (pre_data_so_far() > limits_.max_pre_data_bytes) {
          return parse_errc::max_post_pre_data_length_exceeded;
        }
        return post_form_event{};
      }
      if (buf.substr(i, 2) != "\r\n") {
        return parse_errc::malformed_post_request;
      }
      pos_ = i;  // the CRLF stays: the header block is searched as "\r\n...\r\n\r\n"
      state_ = state::part_headers;
      progressed = true;
      return post_form_event{};
    }
    case state::part_headers: {
      const std::size_t end = buf.find("\r\n\r\n", pos_);
      if (end == std::string_view::npos) {
        if (pre_data_so_far() > limits_.max_pre_data_bytes) {
          return parse_errc::max_post_pre_data_length_exceeded;
        }
        return post_form_event{};
      }
      const std::string_view headers =
          end == pos_ ? std::string_view{} : buf.substr(pos_ + 2, end - pos_ - 2);
      pos_ = end + 4;
      if (erased_ + pos_ - 2 > limits_.max_pre_data_bytes) {
        return parse_errc::max_post_pre_data_length_exceeded;
      }
      if (auto r = parse_part_headers(headers); !r) {
        return r.error();
      }
      progressed = true;
      if (state_ == state::file_data) {
        return post_form_event{post_form_event_kind::file_begin, {}};
      }
      return post_form_event{};
    }
    case state::field_value: {
      const std::size_t at = buf.find(delimiter_, pos_);
      if (at == std::string_view::npos) {
        if (buf.size() - pos_ > limits_.max_field_value_bytes + delimiter_.size() - 1 ||
            pre_data_so_far() > limits_.max_pre_data_bytes) {
          return parse_errc::max_post_pre_data_length_exceeded;
        }
        return post_form_event{};
      }
      if (at - pos_ > limits_.max_field_value_bytes) {
        return parse_errc::max_post_pre_data_length_exceeded;
      }
      fields_.push_back({std::move(current_name_), std::string(buf.substr(pos_, at - pos_))});
      current_name_.clear();
      pos_ = at + delimiter_.size();
      state_ = state::after_delimiter;
      progressed = true;
      return post_form_event{};
    }
    case state::file_data: {
      const std::size_t at = buf.find(delimiter_, pos_);
      std::size_t end = at;
      if (at == std::string_view::npos) {
        // Hold back what could be the start of a delimiter split across pieces.
        const std::size_t keep = delimiter_.size() - 1;
        end = buf.size() > pos_ + keep ? buf.size() - keep : pos_;
      } else {
        state_ = state::file_end_pending;
      }
      const std::string_view data = buf.substr(pos_, end - pos_);
      pos_ = at == std::string_view::npos ? end : at + delimiter_.size();
      progressed = !data.empty() || at != std::string_view::npos;
      if (data.empty()) {
        return post_form_event{};
      }
      file_size_ += data.size();
      return post_form_event{post_form_event_kind::file_data, data};
    }
    case state::file_end_pending:
      state_ = state::epilogue;
      progressed = true;
      return post_form_event{post_form_event_kind::end, {}};
    case state::epilogue:
    case state::closed_without_file:
      pos_ = buf.size();
      return post_form_event{};
  }
  return post_form_event{};
}

result<post_form_event> post_form_parser::next(std::string_view& input) {
  for (;;) {
    bool progressed = true;
    while (progressed) {
      auto ev = step(progressed);
      if (!ev) {
        return ev.error();
      }
      if (ev->kind != post_form_event_kind::need_more) {
        return ev;
      }
    }
    if (input.empty()) {
      return post_form_event{};
    }
    // Drop what was consumed before appending, so the buffer holds at most one piece plus an
    // unfinished item (bounded by the pre-data limit or one delimiter length).
    buf_.erase(0, pos_);
    erased_ += pos_;
    pos_ = 0;
    const std::size_t take = std::min(input.size(), limits_.max_piece_bytes);
    if (state_ == state::epilogue || state_ == state::closed_without_file) {
      erased_ += take;  // ignored trailing parts are never buffered
    } else {
      buf_.append(input.substr(0, take));
    }
    input.remove_prefix(take);
  }
}

}  // namespace onehop::store
