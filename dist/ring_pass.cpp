#include "dist/ring_pass.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

#include "dist/error.h"

namespace pldr::dist {

namespace {

template <class T> void add_into(char* dst_bytes, const char* src_bytes, size_t bytes) {
  T* dst = reinterpret_cast<T*>(dst_bytes);
  const T* src = reinterpret_cast<const T*>(src_bytes);
  for (size_t i = 0, n = bytes / sizeof(T); i < n; ++i) dst[i] += src[i];
}

template <> void add_into<BFloat16>(char* dst_bytes, const char* src_bytes, size_t bytes) {
  BFloat16* dst = reinterpret_cast<BFloat16*>(dst_bytes);
  const BFloat16* src = reinterpret_cast<const BFloat16*>(src_bytes);
  for (size_t i = 0, n = bytes / sizeof(BFloat16); i < n; ++i) dst[i] = BFloat16(float(dst[i]) + float(src[i]));
}

void add_into(DType dtype, char* dst, const char* src, size_t bytes) {
  switch (dtype) {
    case DType::Float32: return add_into<float>(dst, src, bytes);
    case DType::Float64: return add_into<double>(dst, src, bytes);
    case DType::BFloat16: return add_into<BFloat16>(dst, src, bytes);
    default: check_summable(dtype);
  }
}

// A cursor over a list of regions, skipping empty ones.
struct Cursor {
  const std::vector<Region>& regions;
  size_t index = 0, offset = 0;
  explicit Cursor(const std::vector<Region>& r) : regions(r) { skip_empty(); }
  bool done() const { return index >= regions.size(); }
  const Region& region() const { return regions[index]; }
  size_t left() const { return region().bytes - offset; }
  void advance(size_t n) {
    offset += n;
    if (offset == region().bytes) ++index, offset = 0, skip_empty();
  }
  void skip_empty() {
    while (index < regions.size() && regions[index].bytes == 0) ++index;
  }
};

std::string silence(Milliseconds t) {
  return "nothing for " + std::to_string(double(t.count()) / 1000.0).substr(0, 5) + " s (timeout)";
}

}  // namespace

void check_summable(DType dtype) {
  if (dtype != DType::Float32 && dtype != DType::Float64 && dtype != DType::BFloat16)
    throw std::invalid_argument(std::string("all_reduce: unsupported dtype ") + dtype_name(dtype) +
                                " (the ring sums float32, float64 and bfloat16)");
}

void run_ring_pass(const RingPass& pass, const RingLinks& links, std::vector<char>& scratch) {
  if (scratch.size() < kPieceBytes) scratch.resize(kPieceBytes);
  Cursor send(pass.sends), recv(pass.receives);
  size_t sent = 0, processed = 0, scratch_fill = 0;
  while (!send.done() || !recv.done()) {
    const size_t ready = pass.head_start + processed - sent;  // bytes we may send now
    const bool want_send = !send.done() && ready > 0;
    const bool want_recv = !recv.done();
    if (!want_send && !want_recv) throw std::logic_error("ring pass: the send stream outruns the receive stream");
    // Send and receive what the sockets take now; wait (poll) only when neither moved.
    bool moved = false;
    if (want_send) {
      const ssize_t m = ::send(links.next->fd(), send.region().data + send.offset, std::min(ready, send.left()),
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (m < 0 && errno != EAGAIN && errno != EINTR)
        throw PeerLost(links.next_rank, "connection lost (" + system_error_text(errno) + ")");
      if (m > 0) sent += size_t(m), send.advance(size_t(m)), moved = true;
    }
    if (want_recv) {
      const Region& r = recv.region();
      // Copies land in place; reductions land in the scratch piece first, then are added.
      const size_t want = r.reduce ? std::min(kPieceBytes, recv.left()) - scratch_fill : recv.left();
      char* into = r.reduce ? scratch.data() + scratch_fill : r.data + recv.offset;
      const ssize_t m = ::recv(links.prev->fd(), into, want, MSG_DONTWAIT);
      if (m == 0) throw PeerLost(links.prev_rank, "connection closed");
      if (m < 0 && errno != EAGAIN && errno != EINTR)
        throw PeerLost(links.prev_rank, "connection lost (" + system_error_text(errno) + ")");
      if (m > 0) moved = true;
      if (m > 0 && !r.reduce) processed += size_t(m), recv.advance(size_t(m));
      if (m > 0 && r.reduce && (scratch_fill += size_t(m)) == std::min(kPieceBytes, recv.left())) {
        add_into(pass.dtype, r.data + recv.offset, scratch.data(), scratch_fill);
        processed += scratch_fill;
        recv.advance(scratch_fill);
        scratch_fill = 0;
      }
    }
    if (moved) continue;
    // A neighbour we need nothing from now is left out: one that finished and left is no error.
    // A closed or reset connection shows as readiness; the next send or recv names it.
    pollfd fds[2] = {{want_send ? links.next->fd() : -1, POLLOUT, 0}, {want_recv ? links.prev->fd() : -1, POLLIN, 0}};
    const int n = ::poll(fds, 2, int(links.timeout.count()));
    if (n == 0) {
      if (want_recv) throw PeerLost(links.prev_rank, silence(links.timeout) + " while receiving from it", true);
      throw PeerLost(links.next_rank, silence(links.timeout) + " while sending to it", true);
    }
  }
}

}  // namespace pldr::dist
