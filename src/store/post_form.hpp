#pragma once
// A streaming multipart/form-data parser for S3 POST object (browser uploads). Pure.
//
// The body is fed in pieces of any size; the parser reports, in order:
//   file_begin  once every field before the part named "file" and that part's headers are in
//               (fields(), file_name(), file_content_type() are then valid): the caller checks
//               the policy and signature here, before it stores any byte;
//   file_data   pieces of the file's content (views valid until the next call to next());
//   end         after the delimiter that closes the file part.
// Parts after the file are ignored, as S3 does. The file content is never buffered whole: at most
// `max_piece_bytes` plus one delimiter length are held at a time.
//
// Limits (all named, defaults as S3 where it has one): boundary 1..70 bytes of RFC 2046 bchars;
// everything before the file content (preamble, delimiters, part headers, fields) at most
// max_pre_data_bytes (20 KiB) -> parse_errc::max_post_pre_data_length_exceeded, which also
// covers a field value above max_field_value_bytes or a name above max_field_name_bytes; more
// than max_fields fields -> parse_errc::malformed_post_request. A body that is not well-formed
// multipart -> malformed_post_request; a form that closes without a "file" part ->
// incorrect_number_of_files.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/parse_errors.hpp"

namespace onehop::store {

struct post_form_limits {
  std::size_t max_boundary_bytes = 70;
  std::size_t max_fields = 64;
  std::size_t max_field_name_bytes = 1024;
  std::size_t max_field_value_bytes = 20 * 1024;
  std::size_t max_pre_data_bytes = 20 * 1024;
  std::size_t max_piece_bytes = 64 * 1024;  // bytes taken from the input per step
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not; media type
// and parameter names case-insensitive). Anything else -> parse_errc::malformed_post_request.
result<std::string> parse_multipart_boundary(std::string_view content_type,
                                             const post_form_limits& limits = {});

struct form_field {
  std::string name;  // as sent; compare case-insensitively (S3 field names are)
  std::string value;
};

enum class post_form_event_kind { need_more, file_begin, file_data, end };

struct post_form_event {
  post_form_event_kind kind = post_form_event_kind::need_more;
  std::string_view data;  // file_data only
};

class post_form_parser {
 public:
  // `boundary` as returned by parse_multipart_boundary (the parser copies it).
  explicit post_form_parser(std::string_view boundary, const post_form_limits& limits = {});

  // Consumes bytes from the front of `input` and returns the next event; need_more means every
  // byte of `input` was consumed with nothing to report. Call again (with the rest of `input`,
  // or the next piece of the body) after each other event. After an error, stop.
  result<post_form_event> next(std::string_view& input);

  // At the end of the body: success only if the end event was reached.
  result<void> finish() const;

  const std::vector<form_field>& fields() const noexcept { return fields_; }
  // The first field named `name` (case-insensitive), or nullptr.
  const std::string* field(std::string_view name) const noexcept;
  bool file_seen() const noexcept { return file_seen_; }
  std::string_view file_name() const noexcept { return file_name_; }
  std::string_view file_content_type() const noexcept { return file_content_type_; }
  std::uint64_t file_size() const noexcept { return file_size_; }

 private:
  enum class state {
    delimiter_search,
    after_delimiter,
    part_headers,
    field_value,
    file_data,
    file_end_pending,
    epilogue,
    closed_without_file
  };

  result<post_form_event> step(bool& progressed);
  result<void> parse_part_headers(std::string_view headers);
  std::size_t pre_data_so_far() const noexcept;

  post_form_limits limits_;
  std::string delimiter_;  // "\r\n--" + boundary
  std::string buf_;
  std::size_t pos_ = 0;
  std::uint64_t erased_ = 0;  // bytes dropped from the front of buf_
  state state_ = state::delimiter_search;
  std::vector<form_field> fields_;
  std::string current_name_;
  bool file_seen_ = false;
  std::string file_name_;
  std::string file_content_type_;
  std::uint64_t file_size_ = 0;
};

}  // namespace onehop::store
