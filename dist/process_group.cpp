#include "dist/process_group.h"

#include <cstdlib>
#include <stdexcept>

#include "dist/error.h"
#include "dist/ring_group.h"
#ifdef PLDR_HAVE_GLOO
#include "dist/gloo_group.h"
#endif
#ifdef PLDR_HAVE_NCCL
#include "dist/nccl_group.h"
#endif

namespace pldr::dist {

namespace {

class SingleProcessGroup : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  std::string engine() const override { return "single"; }
  void all_reduce(void*, size_t, DType) override {}
  void broadcast(void*, size_t, int) override {}
  void reduce_scatter(void*, size_t, DType) override {}
  void all_gather(void*, size_t, DType) override {}
  // The identity, but a tensor that no engine could take is refused here too.
  void all_reduce(Tensor& t) override { require_contiguous(t, "all_reduce"); }
  void broadcast(Tensor& t, int) override { require_contiguous(t, "broadcast"); }
  void reduce_scatter(Tensor& t) override { require_contiguous(t, "reduce_scatter"); }
  void all_gather(Tensor& t) override { require_contiguous(t, "all_gather"); }
  void barrier() override {}
};

}  // namespace

void ProcessGroup::all_gather(void* data, size_t count, DType dtype) {
  const size_t elem = dtype_size(dtype);
  for (int r = 0; r < world_size(); ++r) {
    const ShardRange s = shard_range(count, world_size(), r);
    broadcast(static_cast<char*>(data) + s.begin * elem, (s.end - s.begin) * elem, r);
  }
}

void require_contiguous(const Tensor& t, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(what) + ": the tensor is undefined");
  if (!t.is_contiguous())
    throw std::invalid_argument(std::string(what) + ": the tensor (shape " + to_string(t.shape()) + ", strides " +
                                to_string(t.strides()) +
                                ") is not contiguous; pass t.contiguous() and copy the result back");
}

char* tensor_bytes(Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32: return reinterpret_cast<char*>(t.data<float>());
    case DType::Float64: return reinterpret_cast<char*>(t.data<double>());
    case DType::Int32: return reinterpret_cast<char*>(t.data<int32_t>());
    case DType::BFloat16: return reinterpret_cast<char*>(t.data<BFloat16>());
  }
  throw std::logic_error("tensor_bytes: bad dtype");
}

namespace {

// Runs `collective` on the bytes of `t` in host memory: its own for a CPU tensor, else a host copy
// that is written back to the device afterwards (the copy to the host waits for the work queued
// on the tensor, so the collective reads its final values).
template <class F> void on_host(Tensor& t, const char* what, F&& collective) {
  require_contiguous(t, what);
  if (t.device() == Device::CPU) return collective(tensor_bytes(t));
  Tensor host = t.to(Device::CPU);
  collective(tensor_bytes(host));
  t.copy_from(host);
}

// A CPU tensor over `values`, without a copy (the caller's memory outlives the collective: the
// keep-alive handle owns nothing).
template <class T> Tensor host_view(std::span<T> values) {
  std::shared_ptr<const void> unowned(values.data(), [](const void*) {});
  auto storage = std::make_shared<Storage>(values.data(), values.size() * sizeof(T), Device::CPU, std::move(unowned));
  return Tensor(std::move(storage), dtype_of<T>(), {int64_t(values.size())}, {1}, 0);
}

}  // namespace

void ProcessGroup::all_reduce(Tensor& t) {
  on_host(t, "all_reduce", [&](char* data) { all_reduce(data, size_t(t.numel()), t.dtype()); });
}

void ProcessGroup::broadcast(Tensor& t, int root) {
  on_host(t, "broadcast", [&](char* data) { broadcast(data, size_t(t.numel()) * dtype_size(t.dtype()), root); });
}

void ProcessGroup::reduce_scatter(Tensor& t) {
  on_host(t, "reduce_scatter", [&](char* data) { reduce_scatter(data, size_t(t.numel()), t.dtype()); });
}

void ProcessGroup::all_gather(Tensor& t) {
  on_host(t, "all_gather", [&](char* data) { all_gather(data, size_t(t.numel()), t.dtype()); });
}

void ProcessGroup::all_reduce(std::span<float> values) {
  if (values.empty()) return;  // nothing to sum, and maybe no memory for a tensor to view
  Tensor t = host_view(values);
  all_reduce(t);
}

void ProcessGroup::all_reduce(std::span<double> values) {
  if (values.empty()) return;  // nothing to sum, and maybe no memory for a tensor to view
  Tensor t = host_view(values);
  all_reduce(t);
}

std::unique_ptr<ProcessGroup> single_process_group() { return std::make_unique<SingleProcessGroup>(); }

bool engine_available(const std::string& engine) {
#ifdef PLDR_HAVE_GLOO
  if (engine == "gloo") return true;
#endif
#ifdef PLDR_HAVE_NCCL
  if (engine == "nccl") return true;
#endif
  return engine == "ring";
}

std::unique_ptr<ProcessGroup> connect(const Rendezvous& rendezvous, const std::string& engine) {
  if (!engine_available(engine))
    throw DistError("unknown or unavailable process-group engine '" + engine + "' (this build has: ring" +
                    std::string(engine_available("gloo") ? ", gloo" : "") +
                    std::string(engine_available("nccl") ? ", nccl" : "") + ")");
#ifdef PLDR_HAVE_NCCL
  if (engine == "nccl") return std::make_unique<NcclGroup>(rendezvous);  // on the GPU even for one rank
#endif
  if (rendezvous.world_size == 1) return single_process_group();
#ifdef PLDR_HAVE_GLOO
  if (engine == "gloo") return std::make_unique<GlooGroup>(rendezvous);
#endif
  return std::make_unique<RingGroup>(rendezvous);
}

std::unique_ptr<ProcessGroup> group_from_environment() {
  const std::optional<Rendezvous> rendezvous = rendezvous_from_environment();
  if (!rendezvous) return single_process_group();
  const char* engine = std::getenv("PLDR_DIST_ENGINE");
  return connect(*rendezvous, engine ? engine : "ring");
}

}  // namespace pldr::dist
