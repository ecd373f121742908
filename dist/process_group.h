// ProcessGroup: the ranks of a data-parallel run and their collectives. One interface for every
// engine: a single process (world size 1: every collective is the identity, so one code path
// serves all runs), the ring written here (ring_group.h: TCP, no dependencies), Gloo when built
// with it (gloo_group.h), and NCCL for CUDA memory (nccl_group.h, unverified).
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dist/rendezvous.h"
#include "tensor/dtype.h"
#include "tensor/tensor.h"

namespace pldr::dist {

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  virtual std::string engine() const = 0;

  // In-place sum over the ranks of `count` elements of `dtype` (float32 or float64; bfloat16 too
  // on the ring and Gloo); every rank ends with the same bits. Throws DistError ("rank N lost: ...") if a rank
  // vanishes.
  virtual void all_reduce(void* data, size_t count, DType dtype) = 0;
  // Copies `bytes` from rank `root` to every rank.
  virtual void broadcast(void* data, size_t bytes, int root) = 0;
  // For sharded state (ZeRO stage 1, training.shard_optimizer): rank r's shard of a buffer of
  // `count` elements is shard_range(count, world_size, r), contiguous. reduce_scatter sums the
  // buffer over the ranks into this rank's shard only (the rest of `data` is left undefined);
  // all_gather copies every rank's shard to every rank. The defaults are an all_reduce of the whole
  // buffer and one broadcast per shard; the ring does each in one pass (ring_group.h).
  virtual void reduce_scatter(void* data, size_t count, DType dtype) { all_reduce(data, count, dtype); }
  virtual void all_gather(void* data, size_t count, DType dtype);
  virtual void barrier() = 0;
  // Records `message` as this run's failure where the other ranks will read it (called before a
  // rank exits on an error of its own, so the others report it rather than "rank N lost").
  virtual void abort(const std::string& message) { (void)message; }

  // The same collectives on a tensor where it lies, any dtype the engine sums (broadcast and
  // all_gather copy any dtype). The tensor must be defined and contiguous (std::invalid_argument
  // naming the problem otherwise). The defaults run the pointer collectives above on host memory:
  // a CPU tensor's own, a CUDA tensor's through a host copy (device to host, the collective, host
  // to device; a plain host buffer, as the CUDA backend offers no pinned allocation). NcclGroup
  // overrides them to work on device memory directly.
  virtual void all_reduce(Tensor& t);
  virtual void broadcast(Tensor& t, int root);
  virtual void reduce_scatter(Tensor& t);
  virtual void all_gather(Tensor& t);

  // Host vectors, through the tensor collectives (so that they reach every engine, NCCL's too).
  void all_reduce(std::span<float> values);
  void all_reduce(std::span<double> values);
};

// Element [0,...,0] of `t` as bytes, whatever its dtype (device memory for a CUDA tensor): what
// the tensor collectives pass to the pointer ones.
char* tensor_bytes(Tensor& t);

// Throws std::invalid_argument unless `t` is defined and contiguous: what every tensor collective
// needs; `what` names the collective.
void require_contiguous(const Tensor& t, const char* what);

// Elements [begin, end) of a buffer of `count` that rank `rank` of `world_size` holds: the
// world_size nearly equal ranges in rank order (the ring's segments).
struct ShardRange {
  size_t begin = 0, end = 0;
};
inline ShardRange shard_range(size_t count, int world_size, int rank) {
  return {count * size_t(rank) / size_t(world_size), count * size_t(rank + 1) / size_t(world_size)};
}

// World size 1.
std::unique_ptr<ProcessGroup> single_process_group();

// Engines by name: "ring" (default), "gloo" (when built with Gloo), "nccl" (when built with NCCL;
// CUDA memory only; unverified).
bool engine_available(const std::string& engine);

// Joins the run described by `rendezvous` with `engine`; throws DistError naming the problem.
std::unique_ptr<ProcessGroup> connect(const Rendezvous& rendezvous, const std::string& engine = "ring");

// The group the environment describes (rendezvous_from_environment), else a single process.
// PLDR_DIST_ENGINE picks the engine.
std::unique_ptr<ProcessGroup> group_from_environment();

}  // namespace pldr::dist
