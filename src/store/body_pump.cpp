// pump_body: reads a request body, checks it (signed payload hash, aws-chunked signatures,
// declared size, checksums) and feeds the object data to a sink, either inline on the I/O thread
// or in double-buffered batches on the blocking pool.

#include <boost/asio/execution_context.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <cctype>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "store/handlers_internal.hpp"
#include "store/md5.hpp"

namespace onehop::store::front {

namespace {

std::string lower_algorithm_name(sigv4::checksum_algorithm algorithm) {
  std::string name(sigv4::checksum_algorithm_name(algorithm));
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

// Every check of one body, fed the raw transport bytes as they arrive. No I/O.
class body_checker {
 public:
  static result<body_checker> create(const s3_handler::context& ctx, const body_plan& plan) {
    body_checker checker(ctx, plan);
    if (plan.mode == sigv4::payload_mode::streaming_signed ||
        plan.mode == sigv4::payload_mode::streaming_signed_trailer ||
        plan.mode == sigv4::payload_mode::streaming_unsigned_trailer) {
      sigv4::chunked_params params;
      params.decoded_content_length = plan.expected_size;
      params.trailer = plan.trailer;
      if (plan.mode == sigv4::payload_mode::streaming_unsigned_trailer) {
        params.mode = sigv4::chunked_mode::unsigned_payload_trailer;
      } else {
        params.mode = plan.mode == sigv4::payload_mode::streaming_signed
                          ? sigv4::chunked_mode::signed_payload
                          : sigv4::chunked_mode::signed_payload_trailer;
        params.signing = sigv4::chunk_signing_params{ctx.auth->signing_key, ctx.auth->amz_date,
                                                     ctx.auth->scope, ctx.auth->seed_signature};
      }
      auto created = sigv4::chunked_decoder::create(params);
      if (!created) {
        return created.error();
      }
      checker.decoder_.emplace(std::move(*created));
    }
    if (plan.mode == sigv4::payload_mode::sha256) {
      checker.payload_hash_.emplace();
    }
    if (plan.header_checksum) {
      checker.checksum_.emplace(plan.header_checksum->algorithm);
    }
    return checker;
  }

  // True when the object data differs from the transport bytes (aws-chunked framing). A decoded
  // piece is never larger than the raw chunk it came from: the decoder buffers no data.
  bool decodes() const noexcept { return decoder_.has_value(); }

  // Feeds one raw chunk; calls emit(std::string_view) with each piece of object data in it.
  template <class Emit>
  result<void> absorb(std::string_view raw, Emit&& emit) {
    if (payload_hash_) {
      payload_hash_->update(raw);
    }
    auto consume = [&](std::string_view data) {
      if (checksum_) {
        checksum_->update(data);
      }
      summary_.size += data.size();
      emit(data);
    };
    if (!decoder_) {
      consume(raw);
      return {};
    }
    return decoder_->feed(raw, [&](std::span<const std::uint8_t> data) {
      consume(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    });
  }

  // After the last chunk: the end-of-body checks.
  result<body_summary> finish() {
    if (decoder_) {
      auto finished = decoder_->finish();
      if (!finished) {
        return finished.error();
      }
      if (finished->checksum) {
        summary_.checksums.emplace_back(lower_algorithm_name(finished->checksum->algorithm),
                                        finished->checksum->to_base64());
      }
    } else if (plan_->expected_size && summary_.size != *plan_->expected_size) {
      return sigv4::errc::incomplete_body;
    }
    if (payload_hash_) {
      const sigv4::sha256_digest digest = payload_hash_->finish();
      if (digest != ctx_->auth->payload_sha256) {
        return sigv4::errc::x_amz_content_sha256_mismatch;
      }
    }
    if (checksum_) {
      if (checksum_->value() != *plan_->header_checksum) {
        return sigv4::errc::bad_digest;
      }
      summary_.checksums.emplace_back(lower_algorithm_name(plan_->header_checksum->algorithm),
                                      plan_->header_checksum->to_base64());
    }
    return std::move(summary_);
  }

 private:
  body_checker(const s3_handler::context& ctx, const body_plan& plan) : ctx_(&ctx), plan_(&plan) {}

  const s3_handler::context* ctx_;
  const body_plan* plan_;
  std::optional<sigv4::chunked_decoder> decoder_;
  std::optional<sigv4::sha256_hasher> payload_hash_;
  std::optional<sigv4::checksum_hasher> checksum_;
  body_summary summary_;
};

boost::asio::awaitable<result<body_summary>> pump_inline(
    http::request& req, body_checker& checker,
    const std::function<result<void>(std::string_view)>& sink) {
  for (;;) {
    auto chunk = co_await req.read_some();
    if (!chunk) {
      co_return chunk.error();
    }
    if (chunk->empty()) {
      break;
    }
    result<void> sunk;
    auto fed = checker.absorb(*chunk, [&](std::string_view data) {
      if (sunk) {
        sunk = sink(data);
      }
    });
    if (!fed) {
      co_return fed.error();
    }
    if (!sunk) {
      co_return sunk.error();
    }
  }
  co_return checker.finish();
}

// What the uploads of one io_context share: the MD5 lanes, and spare batch buffers (a fresh
// 512 KiB allocation comes from mmap and page-faults on every first touch; a reused one does
// not). The store runs one thread per io_context, so this is only ever used by that thread; as
// a service of the context it outlives every coroutine frame there, even those destroyed when
// the context shuts down.
class pump_service : public boost::asio::execution_context::service {
 public:
  using key_type = pump_service;
  static inline boost::asio::execution_context::id id;

  // Spare buffers kept: at most 16 MiB per I/O thread, what 16 uploads in flight hold anyway.
  // Paired runs of PUT 1 MiB x 16 spent ~12% more CPU per byte with 8 or 16 spares: uploads
  // keep their batches through the commit, so finishing and starting ones do not simply trade.
  static constexpr std::size_t max_spare = 32;

  explicit pump_service(boost::asio::execution_context& context) : service(context) {}

  static pump_service& of_this_thread(const boost::asio::any_io_executor& executor) {
    return boost::asio::use_service<pump_service>(
        boost::asio::query(executor, boost::asio::execution::context));
  }

  std::unique_ptr<char[]> take_buffer() {
    if (spare_.empty()) {
      return std::unique_ptr<char[]>(new char[pump_batch_size]);
    }
    auto buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
  }

  void give_back(std::unique_ptr<char[]> buffer) {
    if (buffer && spare_.size() < max_spare) {
      spare_.push_back(std::move(buffer));
    }
  }

  md5_lane_group lanes;

 private:
  void shutdown() override {}

  std::vector<std::unique_ptr<char[]>> spare_;
};

// One batch of object data on its way to the sink, in a buffer borrowed from the thread.
struct batch {
  explicit batch(pump_service& owner) : service(&owner), bytes(owner.take_buffer()) {}
  ~batch() { service->give_back(std::move(bytes)); }
  batch(const batch&) = delete;
  batch& operator=(const batch&) = delete;

  pump_service* service;
  std::unique_ptr<char[]> bytes;
  std::size_t size = 0;
};

// With aws-chunked framing the raw chunks are read into a separate buffer of this size and
// decoded into the batch; a batch accepts another raw read while this much room is left.
constexpr std::size_t decode_read_size = 64 * 1024;

enum class fill_end { batch_full, body_ended };

// Reads into `into` until it is full or the body ends; the object data it adds waits in `into`
// to be hashed by `md5`.
boost::asio::awaitable<result<fill_end>> fill(http::request& req, body_checker& checker,
                                              batch& into, char* raw_buffer,
                                              md5_lane_group::member& md5) {
  for (;;) {
    result<std::string_view> chunk;
    if (checker.decodes()) {
      if (pump_batch_size - into.size < decode_read_size) {
        co_return fill_end::batch_full;
      }
      chunk = co_await req.read_some_into(std::span<char>(raw_buffer, decode_read_size));
    } else {
      if (into.size == pump_batch_size) {
        co_return fill_end::batch_full;
      }
      // Into the batch itself: from the socket for a Content-Length body, else from the parser.
      chunk = co_await req.read_some_into(
          std::span<char>(into.bytes.get() + into.size, pump_batch_size - into.size));
    }
    if (!chunk) {
      co_return chunk.error();
    }
    if (chunk->empty()) {
      co_return fill_end::body_ended;
    }
    const std::size_t before = into.size;
    auto fed = checker.absorb(*chunk, [&](std::string_view data) {
      char* const end = into.bytes.get() + into.size;
      if (data.size() > pump_batch_size - into.size) {
        throw std::logic_error("pump_body: decoded data larger than its raw chunk");
      }
      if (data.data() != end) {
        std::memcpy(end, data.data(), data.size());
      }
      into.size += data.size();
    });
    if (!fed) {
      co_return fed.error();
    }
    md5.defer(std::string_view(into.bytes.get() + before, into.size - before));
  }
}

boost::asio::awaitable<result<void>> drain(
    http::request& req, batch& from, const std::function<result<void>(std::string_view)>& sink) {
  auto sunk = co_await req.run_blocking(
      [&]() -> result<void> { return sink(std::string_view(from.bytes.get(), from.size)); });
  from.size = 0;
  co_return sunk;
}

boost::asio::awaitable<result<body_summary>> pump_pooled(
    http::request& req, body_checker& checker,
    const std::function<result<void>(std::string_view)>& sink, const after_last_batch& after_last) {
  using namespace boost::asio::experimental::awaitable_operators;
  std::unique_ptr<char[]> raw_buffer;
  if (checker.decodes()) {
    raw_buffer.reset(new char[decode_read_size]);
  }
  auto& shared = pump_service::of_this_thread(co_await boost::asio::this_coro::executor);
  batch first(shared);
  batch second(shared);
  batch* filling = &first;
  batch* draining = &second;  // empty until the first batch is full
  // After the batches: it may point into them until it is gone.
  md5_lane_group::member md5(shared.lanes);
  for (bool ended = false; !ended;) {
    result<fill_end> filled = fill_end::batch_full;
    if (draining->size == 0) {
      filled = co_await fill(req, checker, *filling, raw_buffer.get(), md5);
    } else {
      // Both run on this connection's thread; the sink runs on the pool meanwhile, and both
      // complete before the loop goes on, so no sink call is ever left running on return.
      auto [read, sunk] = co_await (fill(req, checker, *filling, raw_buffer.get(), md5) &&
                                    drain(req, *draining, sink));
      if (!sunk) {
        co_return sunk.error();
      }
      filled = read;
    }
    if (!filled) {
      co_return filled.error();
    }
    ended = *filled == fill_end::body_ended;
    std::swap(filling, draining);
    // The drained batch is refilled next: its data is hashed first, with whatever else the
    // thread's uploads have received meanwhile (mostly whole batches: many busy lanes).
    md5.release(std::string_view(filling->bytes.get(), pump_batch_size));
  }
  // Every byte has been absorbed: check the body before its last batch is written, so the
  // write and whatever follows it (the commit) share one pool job.
  auto summary = checker.finish();
  if (!summary) {
    co_return summary.error();
  }
  summary->md5 = md5.finish();
  if (draining->size > 0 || after_last) {
    auto done = co_await req.run_blocking([&]() -> result<void> {
      if (draining->size > 0) {
        if (auto sunk = sink(std::string_view(draining->bytes.get(), draining->size)); !sunk) {
          return sunk;
        }
      }
      return after_last ? after_last(*summary) : result<void>{};
    });
    if (!done) {
      co_return done.error();
    }
  }
  co_return summary;
}

}  // namespace

boost::asio::awaitable<result<body_summary>> pump_body(
    s3_handler::context& ctx, const body_plan& plan,
    std::function<result<void>(std::string_view)> sink, sink_thread where,
    after_last_batch after_last) {
  auto checker = body_checker::create(ctx, plan);
  if (!checker) {
    co_return checker.error();
  }
  if (where == sink_thread::pool) {
    co_return co_await pump_pooled(ctx.req, *checker, sink, after_last);
  }
  auto summary = co_await pump_inline(ctx.req, *checker, sink);
  if (summary && after_last) {
    if (auto done = after_last(*summary); !done) {
      co_return done.error();
    }
  }
  co_return summary;
}

boost::asio::awaitable<result<written_object>> write_and_commit(s3_handler::context& ctx,
                                                                const body_plan& plan,
                                                                object_writer& writer,
                                                                commit_options commit) {
  std::optional<object_info> info;
  auto summary = co_await pump_body(
      ctx, plan, [&](std::string_view data) -> result<void> { return writer.write(data); },
      sink_thread::pool,
      [&](const body_summary& checked) -> result<void> {
        commit.checksums = checked.checksums;
        commit.md5 = checked.md5;
        auto committed = writer.commit(commit);
        if (!committed) {
          return committed.error();
        }
        info = std::move(*committed);
        return {};
      });
  if (!summary) {
    writer.abort();  // idempotent: a failed write or commit has removed the temp file already
    co_return summary.error();
  }
  co_return written_object{std::move(*summary), std::move(*info)};
}

http::response stored_response(s3_handler::context& ctx, const written_object& written) {
  http::response res = empty(ctx);
  res.message.set(bhttp::field::etag, quote_etag(written.info.etag));
  for (const auto& [name, value] : written.body.checksums) {
    res.message.set("x-amz-checksum-" + name, value);
  }
  return res;
}

}  // namespace onehop::store::front
