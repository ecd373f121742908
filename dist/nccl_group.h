// NCCL as the engine for CUDA memory: the same store carries rank 0's ncclUniqueId, one NCCL
// communicator spans the ranks (one GPU each: LOCAL_RANK, else rank modulo the visible devices),
// and all_reduce / broadcast / barrier run on a stream of the group's own, waited for on the host
// with the rendezvous timeout (the communicator is aborted when it passes, so a lost rank gives an
// error, not a hang). Every pointer given to this group must be CUDA device memory.
//
// Tensors (a build with the CUDA backend, PLDR_CUDA): a CUDA tensor is reduced where it lies. The
// group's stream first waits (an event) for the work queued on the backend's stream, so the
// collective reads the tensor's final values; the host then waits for the group's stream
// (finish()), so the backend's later work, queued after the call returns, sees the result. A CPU
// tensor goes through a device copy. The group selects its GPU (cudaSetDevice) when it is made:
// make it before the first CUDA tensor so that the backend works on that GPU too.
//
// UNVERIFIED: built when nccl.h and libnccl are found (PLDR_HAVE_NCCL), but never run on the
// machines this was written on (no GPU); tests/dist/nccl_test.cpp skips without a CUDA device.
#pragma once
#include <memory>

#include "dist/membership.h"
#include "dist/process_group.h"

namespace pldr::dist {

class NcclGroup : public ProcessGroup {
 public:
  explicit NcclGroup(const Rendezvous& rendezvous);
  ~NcclGroup() override;

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  std::string engine() const override { return "nccl"; }
  using ProcessGroup::all_reduce;
  void all_reduce(void* device_data, size_t count, DType dtype) override;
  void broadcast(void* device_data, size_t bytes, int root) override;
  void barrier() override;
  void abort(const std::string& message) override;
  using ProcessGroup::all_gather;
  using ProcessGroup::broadcast;
  using ProcessGroup::reduce_scatter;
  void all_reduce(Tensor& t) override;
  void broadcast(Tensor& t, int root) override;
  void reduce_scatter(Tensor& t) override;
  void all_gather(Tensor& t) override;

  int device() const { return device_; }

 private:
  struct Handles;  // NCCL communicator and CUDA stream, kept out of this header
  // Waits for the communicator and the stream within the timeout; throws DistError otherwise.
  void finish(const char* what);
  [[noreturn]] void fail(const std::string& message);
  // Runs `collective` on the device bytes of `t` (a device copy of a CPU tensor), ordered after the
  // backend's queued work (see above).
  template <class F> void on_device(Tensor& t, const char* what, F&& collective);

  int rank_, world_size_, device_ = 0;
  Milliseconds timeout_;
  Membership membership_;
  std::unique_ptr<Handles> handles_;
};

}  // namespace pldr::dist
