// Fuzzes the streaming POST form parser. The first byte picks the piece size, so the same body is
// also cut at every position across runs; the file bytes must come out identical to a one-piece
// parse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/post_form.hpp"

namespace {

struct run_result {
  bool ok = false;
  std::string file;
  std::size_t fields = 0;
};

run_result run(std::string_view body, std::size_t piece) {
  onehop::store::post_form_limits limits;
  limits.max_piece_bytes = 97;
  onehop::store::post_form_parser parser("xYz", limits);
  run_result out;
  for (std::size_t off = 0; off < body.size(); off += piece) {
    std::string_view input = body.substr(off, piece);
    for (;;) {
      auto ev = parser.next(input);
      if (!ev) {
        return out;
      }
      if (ev->kind == onehop::store::post_form_event_kind::need_more) {
        break;
      }
      if (ev->kind == onehop::store::post_form_event_kind::file_data) {
        if (ev->data.size() > limits.max_piece_bytes + 8) {
          __builtin_trap();
        }
        out.file.append(ev->data);
      }
    }
  }
  out.ok = static_cast<bool>(parser.finish());
  out.fields = parser.fields().size();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const run_result whole = run(body, body.size() + 1);
  const run_result pieces = run(body, piece);
  if (whole.ok != pieces.ok ||
      (whole.ok && (whole.file != pieces.file || whole.fields != pieces.fields))) {
    __builtin_trap();
  }
  (void)onehop::store::parse_multipart_boundary(body);
  return 0;
}
