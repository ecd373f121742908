// The ring engine: ranks 0..N-1 in a circle, each with one TCP connection to the next rank and
// one from the previous, set up through the store that rank 0 hosts. No MPI, no dependencies.
//
// all_reduce (sum) is the bandwidth-optimal ring (Patarasuk and Yuan 2009, as in Baidu's
// ring-allreduce and NCCL): the buffer is cut into N segments, then
//   reduce-scatter, N-1 steps: in step s rank r sends segment (r - s) mod N to rank r+1 and adds
//     segment (r - s - 1) mod N, arriving from rank r-1, into its own; afterwards rank r holds
//     the complete sum of segment (r + 1) mod N;
//   all-gather, N-1 steps: in step s rank r sends segment (r + 1 - s) mod N, complete, and stores
//     the complete segment (r - s) mod N arriving from rank r-1.
// Each rank sends and receives 2 (N-1)/N of the buffer, whatever N. reduce_scatter and all_gather
// (ProcessGroup: rank r's shard is segment r) are the two phases alone, the reduce-scatter's steps
// shifted by one segment so that rank r ends with segment r: in step s it sends segment
// (r - 1 - s) mod N and adds segment (r - 2 - s) mod N, so segment k's sum is built along the ring
// from rank k + 1: the same bits as all_reduce for N = 2, within rounding for N >= 3. Both phases run as one
// pipelined pass (ring_pass.h): what arrives is added (or stored) a 256 KiB piece at a time and
// forwarded at once, so the N-1 steps overlap instead of waiting for whole segments.
//
// Summation order. Segment k's sum is built along the ring starting at rank k:
// (((x_k + x_{k+1}) + x_{k+2}) + ... + x_{k-1}), indices mod N; the all-gather only copies, so every
// rank ends with the same bits. For N = 2 each element is one addition, which commutes, so float32
// and float64 results equal x_0 + x_1 exactly as one process would sum them. For N >= 3 the order
// is a rotation that depends on the element's segment: float64 results then differ from a
// left-to-right sum over ranks by rounding (a few ulp), not more.
//
// Timeouts: every wait is a poll bounded by the rendezvous timeout; a neighbour that closes or
// resets its connection is reported at once, one that goes silent after the timeout. The first
// rank to see a loss records it in the store, and the others report that record ("rank 2 lost:
// connection closed (seen by rank 0)") rather than the neighbour that exited in turn.
#pragma once
#include <memory>
#include <vector>

#include "dist/membership.h"
#include "dist/process_group.h"
#include "dist/socket.h"
#include "dist/tcp_store.h"

namespace pldr::dist {

class RingGroup : public ProcessGroup {
 public:
  // Rank 0 starts the store on master_port; every rank connects to it, checks that all agree on
  // the world size, publishes its ring address and connects to its neighbours. Throws DistError:
  // store unreachable, port in use, a rank that does not join within the timeout, world sizes
  // that differ, two processes with the same rank.
  explicit RingGroup(const Rendezvous& rendezvous);
  ~RingGroup() override;

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  std::string engine() const override { return "ring"; }
  using ProcessGroup::all_gather;
  using ProcessGroup::all_reduce;
  using ProcessGroup::broadcast;
  using ProcessGroup::reduce_scatter;
  void all_reduce(void* data, size_t count, DType dtype) override;
  void broadcast(void* data, size_t bytes, int root) override;
  void reduce_scatter(void* data, size_t count, DType dtype) override;
  void all_gather(void* data, size_t count, DType dtype) override;
  void barrier() override;
  void abort(const std::string& message) override;

  TcpStore& store() { return *membership_.store; }

 private:
  void run(const struct RingPass& pass);
  [[noreturn]] void fail(const std::string& message);
  std::string silent_ranks(const struct PeerLost& e);

  int rank_, world_size_;
  Milliseconds timeout_;
  Membership membership_;
  Socket next_, prev_;
  std::vector<char> scratch_;
  bool failed_ = false;
};

}  // namespace pldr::dist
