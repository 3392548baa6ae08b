#include "store/md5.hpp"

#include <algorithm>
#include <cstring>

#include "store/md5_kernels.hpp"
#include "store/md5_rounds.hpp"

namespace onehop::store {

namespace {

struct scalar_ops {
  using vec = std::uint32_t;
  static vec settle(vec x) {  // an empty asm the value must pass through as it is
    asm("" : "+r"(x));
    return x;
  }
  static vec add(vec x, vec y) { return x + y; }
  static vec constant(std::uint32_t k) { return k; }
  template <int Bits>
  static vec rotate(vec x) {
    return (x << Bits) | (x >> (32 - Bits));
  }
  static vec f(vec b, vec c, vec d) { return d ^ (b & (c ^ d)); }
  static vec g(vec b, vec c, vec d) { return c ^ (d & (b ^ c)); }
  static vec h(vec b, vec c, vec d) { return b ^ c ^ d; }
  static vec i(vec b, vec c, vec d) { return c ^ (b | ~d); }
  static constexpr bool split_g = true;
  static vec g_without_b(vec c, vec d) { return c & ~d; }
  static vec g_with_b(vec b, vec d) { return b & d; }
};

void compress_scalar(std::array<std::uint32_t, 4>& state, const unsigned char* data,
                     std::size_t blocks) noexcept {
  std::uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  for (std::size_t block = 0; block < blocks; ++block, data += 64) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) {  // little-endian words, whatever the host
      const unsigned char* p = data + 4 * i;
      w[i] = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
             static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    }
    md5_rounds::compress_block<scalar_ops>(s, w);
  }
  std::copy(std::begin(s), std::end(s), state.begin());
}

const unsigned char* bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

// Whole blocks of one job still to hash.
struct lane_work {
  std::array<std::uint32_t, 4>* state;
  const unsigned char* data;
  std::size_t blocks;
};

// Feeds `work` through a kernel of `Lanes` lanes: every step runs all busy lanes for as many
// blocks as the shortest of them has left, then refills the lanes that ran dry. A lane with no
// work computes a copy of a busy lane's input, and its result is dropped. When fewer than
// `MinBusy` streams are left, the scalar code finishes them: a vector step costs the same however
// few lanes are busy, and below that many it is slower than hashing them one by one.
template <std::size_t Lanes, std::size_t MinBusy, class Kernel>
void run_lanes(std::span<lane_work> work, Kernel kernel) {
  constexpr std::size_t idle = static_cast<std::size_t>(-1);
  std::size_t slot[Lanes];
  std::fill(std::begin(slot), std::end(slot), idle);
  std::size_t next = 0;
  for (;;) {
    std::size_t busy = 0;
    std::size_t any_busy = idle;  // a lane's input for the idle lanes to copy
    for (std::size_t lane = 0; lane < Lanes; ++lane) {
      if (slot[lane] == idle && next < work.size()) {
        slot[lane] = next++;
      }
      if (slot[lane] != idle) {
        ++busy;
        any_busy = slot[lane];
      }
    }
    if (busy == 0) {
      return;
    }
    if (busy < MinBusy) {  // then nothing is left to refill with
      for (std::size_t lane = 0; lane < Lanes; ++lane) {
        if (slot[lane] != idle) {
          lane_work& last = work[slot[lane]];
          compress_scalar(*last.state, last.data, last.blocks);
        }
      }
      return;
    }
    std::size_t run = static_cast<std::size_t>(-1);
    for (std::size_t lane = 0; lane < Lanes; ++lane) {
      if (slot[lane] != idle) {
        run = std::min(run, work[slot[lane]].blocks);
      }
    }
    std::uint32_t state[4][Lanes];
    const unsigned char* data[Lanes];
    for (std::size_t lane = 0; lane < Lanes; ++lane) {
      const lane_work& w = work[slot[lane] != idle ? slot[lane] : any_busy];
      for (int r = 0; r < 4; ++r) {
        state[r][lane] = (*w.state)[r];
      }
      data[lane] = w.data;
    }
    kernel(state, data, run);
    for (std::size_t lane = 0; lane < Lanes; ++lane) {
      if (slot[lane] == idle) {
        continue;
      }
      lane_work& w = work[slot[lane]];
      for (int r = 0; r < 4; ++r) {
        (*w.state)[r] = state[r][lane];
      }
      w.data += 64 * run;
      w.blocks -= run;
      if (w.blocks == 0) {
        slot[lane] = idle;
      }
    }
  }
}

md5_engine detect_engine() noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    return md5_engine::avx512;
  }
  if (__builtin_cpu_supports("avx2")) {
    return md5_engine::avx2;
  }
#endif
  return md5_engine::scalar;
}

}  // namespace

bool md5_engine_available(md5_engine engine) noexcept {
  const md5_engine best = md5_best_engine();
  switch (engine) {
    case md5_engine::scalar:
      return true;
    case md5_engine::avx2:
      return best == md5_engine::avx2 || best == md5_engine::avx512;
    case md5_engine::avx512:
      return best == md5_engine::avx512;
  }
  return false;
}

md5_engine md5_best_engine() noexcept {
  static const md5_engine best = detect_engine();
  return best;
}

std::string_view md5_hasher::fill_buffer(std::string_view data) noexcept {
  length_ += data.size();
  if (buffered_ == 0 || data.empty()) {
    return data;
  }
  const std::size_t take = std::min(buffer_.size() - buffered_, data.size());
  std::memcpy(buffer_.data() + buffered_, data.data(), take);
  buffered_ += take;
  data.remove_prefix(take);
  if (buffered_ == buffer_.size()) {
    compress_scalar(state_, buffer_.data(), 1);
    buffered_ = 0;
  }
  return data;
}

void md5_hasher::keep_tail(std::string_view tail) noexcept {
  // fill_buffer left either an empty buffer or no data, so the tail always fits.
  if (tail.empty()) {
    return;  // its data() may be null, which memcpy must not get
  }
  std::memcpy(buffer_.data() + buffered_, tail.data(), tail.size());
  buffered_ += tail.size();
}

void md5_hasher::update(std::string_view data) noexcept {
  const std::string_view rest = fill_buffer(data);
  const std::size_t whole = rest.size() / 64;
  compress_scalar(state_, bytes(rest), whole);
  keep_tail(rest.substr(whole * 64));
}

md5_digest md5_hasher::finish() noexcept {
  const std::uint64_t bit_length = length_ * 8;
  unsigned char padding[72] = {0x80};
  const std::size_t pad = (buffered_ < 56 ? 56 : 120) - buffered_;
  for (int i = 0; i < 8; ++i) {
    padding[pad + static_cast<std::size_t>(i)] = static_cast<unsigned char>(bit_length >> (8 * i));
  }
  update(std::string_view(reinterpret_cast<const char*>(padding), pad + 8));
  md5_digest out;
  for (std::size_t i = 0; i < 16; ++i) {
    out[i] = static_cast<std::uint8_t>(state_[i / 4] >> (8 * (i % 4)));
  }
  return out;
}

void md5_update_many(std::span<const md5_job> jobs) noexcept {
  md5_update_many_with(jobs.data(), jobs.size(), md5_best_engine());
}

void md5_update_many_with(const md5_job* jobs, std::size_t count, md5_engine engine) noexcept {
  if (!md5_engine_available(engine)) {
    engine = md5_engine::scalar;
  }
  // Small enough for the stack in the common case (one I/O thread's uploads).
  constexpr std::size_t on_stack = 64;
  lane_work stack_work[on_stack];
  std::vector<lane_work> heap_work;
  lane_work* work = stack_work;
  if (count > on_stack) {
    heap_work.resize(count);
    work = heap_work.data();
  }
  std::size_t queued = 0;
  for (std::size_t i = 0; i < count; ++i) {
    md5_hasher& h = *jobs[i].hasher;
    const std::string_view rest = h.fill_buffer(jobs[i].data);
    const std::size_t whole = rest.size() / 64;
    // The tail goes into the buffer now: it is after the whole blocks, which only touch state_.
    h.keep_tail(rest.substr(whole * 64));
    if (whole > 0) {
      work[queued++] = lane_work{&h.state_, bytes(rest), whole};
    }
  }
  const std::span<lane_work> all(work, queued);
  switch (engine) {
#if defined(__x86_64__)
    case md5_engine::avx512:
      run_lanes<md5_kernels::avx512_lanes, 2>(all, [](auto& state, auto& data, std::size_t blocks) {
        md5_kernels::compress_avx512(state, data, blocks);
      });
      return;
    case md5_engine::avx2:
      run_lanes<md5_kernels::avx2_lanes, 3>(all, [](auto& state, auto& data, std::size_t blocks) {
        md5_kernels::compress_avx2(state, data, blocks);
      });
      return;
#endif
    default:
      for (lane_work& w : all) {
        compress_scalar(*w.state, w.data, w.blocks);
      }
  }
}

md5_lane_group::member::member(md5_lane_group& group) : group_(&group) {
  group_->members_.push_back(this);
}

md5_lane_group::member::~member() {
  auto& members = group_->members_;
  members.erase(std::find(members.begin(), members.end(), this));
}

void md5_lane_group::member::drop_oldest() noexcept {
  for (std::size_t i = 1; i < pending_count_; ++i) {
    pending_[i - 1] = pending_[i];
  }
  --pending_count_;
}

void md5_lane_group::member::defer(std::string_view data) noexcept {
  if (data.empty()) {
    return;
  }
  if (pending_count_ > 0) {
    std::string_view& last = pending_[pending_count_ - 1];
    if (last.data() + last.size() == data.data()) {
      last = std::string_view(last.data(), last.size() + data.size());
      return;
    }
  }
  if (pending_count_ == pending_.size()) {
    hasher_.update(pending_[0]);
    drop_oldest();
  }
  pending_[pending_count_++] = data;
}

void md5_lane_group::member::release(std::string_view memory) noexcept {
  const auto overlaps = [&](std::string_view piece) {
    return piece.data() < memory.data() + memory.size() &&
           memory.data() < piece.data() + piece.size();
  };
  // Pieces are hashed oldest first, so everything up to the last piece in `memory` goes.
  std::size_t through = 0;
  for (std::size_t i = 0; i < pending_count_; ++i) {
    if (overlaps(pending_[i])) {
      through = i + 1;
    }
  }
  for (; through > 0; --through) {
    group_->hash_oldest(*this);
  }
}

md5_digest md5_lane_group::member::finish() noexcept {
  while (pending_count_ > 0) {
    group_->hash_oldest(*this);
  }
  return hasher_.finish();
}

void md5_lane_group::hash_oldest(member& needing) noexcept {
  const std::size_t size = needing.pending_[0].size();
  jobs_.clear();
  jobs_.push_back(md5_job{&needing.hasher_, needing.pending_[0]});
  needing.drop_oldest();
  // The others ride along in lanes that would idle otherwise: up to as many bytes as the needed
  // piece, so none makes the run longer.
  for (member* m : members_) {
    if (m == &needing || m->pending_count_ == 0) {
      continue;
    }
    std::string_view& oldest = m->pending_[0];
    const std::size_t take = std::min(oldest.size(), size);
    jobs_.push_back(md5_job{&m->hasher_, oldest.substr(0, take)});
    oldest.remove_prefix(take);
    if (oldest.empty()) {
      m->drop_oldest();
    }
  }
  md5_update_many(jobs_);
}

}  // namespace onehop::store
