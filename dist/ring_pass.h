// One pass of data around the ring: this rank streams bytes to the next rank while it receives
// bytes from the previous one, both at once (non-blocking sockets and poll, so neither side can
// stall the other on full socket buffers).
//
// A pass is two streams. The receive stream is a list of regions of this rank's buffer that
// arrive in order; each is either copied into place or added element by element into place
// (reduce). The send stream is a list of regions sent in order: its first `head_start` bytes are
// ready at once, and every later byte p is byte p - head_start of the receive stream, sent as soon
// as that byte has been received and processed. That single rule is the pipelining: the ring
// all-reduce forwards a segment it is still receiving, a piece (kPieceBytes) at a time, and a
// broadcast forwards what arrives as it arrives.
#pragma once
#include <cstddef>
#include <vector>

#include "dist/socket.h"
#include "tensor/dtype.h"

namespace pldr::dist {

struct Region {
  char* data;
  size_t bytes;
  bool reduce = false;  // receive only: add into place (else copy)
};

struct RingPass {
  std::vector<Region> sends, receives;
  size_t head_start = 0;
  DType dtype = DType::Float32;  // element type of reduced regions
};

// The two neighbours and what bounds a wait on them.
struct RingLinks {
  const Socket* next;  // we send to it
  const Socket* prev;  // we receive from it
  int next_rank, prev_rank;
  Milliseconds timeout;  // the longest a neighbour may stay silent
};

// Reduce granularity: a received piece is added into place, then forwarded.
constexpr size_t kPieceBytes = size_t(256) << 10;

// Throws PeerLost naming the neighbour that closed, reset or went silent.
void run_ring_pass(const RingPass& pass, const RingLinks& links, std::vector<char>& scratch);

// Throws std::invalid_argument naming `dtype` unless a pass can sum it (float32, float64,
// bfloat16: each addition rounded to bfloat16), before any byte is sent.
void check_summable(DType dtype);

}  // namespace pldr::dist
