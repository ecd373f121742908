// UNVERIFIED (see nccl_group.h): compiled here, never run on a GPU.
#include "dist/nccl_group.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "dist/error.h"
#ifdef PLDR_CUDA
#include "tensor/cuda/memory.h"
#endif

namespace pldr::dist {

struct NcclGroup::Handles {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  cudaEvent_t queued = nullptr;  // recorded on the backend's stream before each tensor collective
  void* token = nullptr;         // one float of device memory for barrier()
};

namespace {

void check_cuda(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) throw DistError(what + ": " + cudaGetErrorString(e));
}

}  // namespace

NcclGroup::NcclGroup(const Rendezvous& rv)
    : rank_(rv.rank), world_size_(rv.world_size), timeout_(rv.timeout), handles_(std::make_unique<Handles>()) {
  membership_ = join_store(rv);
  TcpStore& store = *membership_.store;
  try {
    int devices = 0;
    check_cuda(cudaGetDeviceCount(&devices), "rank " + std::to_string(rank_) + ": no CUDA device for the nccl engine");
    if (devices == 0) throw DistError("rank " + std::to_string(rank_) + ": no CUDA device for the nccl engine");
    const char* local = std::getenv("LOCAL_RANK");
    device_ = (local ? std::atoi(local) : rank_) % devices;
    check_cuda(cudaSetDevice(device_), "cudaSetDevice");
    check_cuda(cudaStreamCreateWithFlags(&handles_->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    check_cuda(cudaMalloc(&handles_->token, sizeof(float)), "cudaMalloc");
    check_cuda(cudaEventCreateWithFlags(&handles_->queued, cudaEventDisableTiming), "cudaEventCreate");

    ncclUniqueId id;
    if (rank_ == 0) {
      if (ncclGetUniqueId(&id) != ncclSuccess) throw DistError("ncclGetUniqueId failed");
      store.set("nccl/unique_id", std::string(reinterpret_cast<const char*>(&id), sizeof id));
    }
    const std::string bytes = store.get("nccl/unique_id", "rank 0's ncclUniqueId");
    if (bytes.size() != sizeof id)
      throw DistError("the store's ncclUniqueId has " + std::to_string(bytes.size()) + " bytes");
    std::memcpy(&id, bytes.data(), sizeof id);
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;  // so that finish() can give up after the timeout
    const ncclResult_t r = ncclCommInitRankConfig(&handles_->comm, world_size_, id, rank_, &config);
    if (r != ncclSuccess && r != ncclInProgress)
      throw DistError(std::string("ncclCommInitRank: ") + ncclGetErrorString(r));
    finish("ncclCommInitRank");
  } catch (const DistError& e) {
    fail(e.what());
  }
}

NcclGroup::~NcclGroup() {
  if (handles_->comm) ncclCommDestroy(handles_->comm);
  if (handles_->token) cudaFree(handles_->token);
  if (handles_->queued) cudaEventDestroy(handles_->queued);
  if (handles_->stream) cudaStreamDestroy(handles_->stream);
}

void NcclGroup::finish(const char* what) {
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    ncclResult_t state = ncclSuccess;
    ncclCommGetAsyncError(handles_->comm, &state);
    const cudaError_t stream = handles_->stream ? cudaStreamQuery(handles_->stream) : cudaSuccess;
    if (state != ncclSuccess && state != ncclInProgress) fail(std::string(what) + ": " + ncclGetErrorString(state));
    if (stream != cudaSuccess && stream != cudaErrorNotReady)
      fail(std::string(what) + ": " + cudaGetErrorString(stream));
    if (state == ncclSuccess && stream == cudaSuccess) return;
    if (Clock::now() > deadline)
      fail(std::string(what) + " did not finish within the timeout: a rank is lost or stalled (rank " +
           std::to_string(rank_) + " gave up)");
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void NcclGroup::fail(const std::string& message) {
  const std::string recorded = membership_.record_failure(message);
  if (handles_->comm) {
    ncclCommAbort(handles_->comm);
    handles_->comm = nullptr;
  }
  membership_.linger();
  throw DistError(recorded);
}

void NcclGroup::abort(const std::string& message) {
  membership_.record_failure("rank " + std::to_string(rank_) + " failed: " + message);
}

void NcclGroup::all_reduce(void* data, size_t count, DType dtype) {
  if (count == 0) return;
  if (dtype != DType::Float32 && dtype != DType::Float64)
    throw std::invalid_argument(std::string("all_reduce: unsupported dtype ") + dtype_name(dtype));
  const ncclResult_t r = ncclAllReduce(data, data, count, dtype == DType::Float64 ? ncclFloat64 : ncclFloat32, ncclSum,
                                       handles_->comm, handles_->stream);
  if (r != ncclSuccess && r != ncclInProgress) fail(std::string("ncclAllReduce: ") + ncclGetErrorString(r));
  finish("ncclAllReduce");
}

void NcclGroup::broadcast(void* data, size_t bytes, int root) {
  if (bytes == 0) return;
  const ncclResult_t r = ncclBroadcast(data, data, bytes, ncclUint8, root, handles_->comm, handles_->stream);
  if (r != ncclSuccess && r != ncclInProgress) fail(std::string("ncclBroadcast: ") + ncclGetErrorString(r));
  finish("ncclBroadcast");
}

void NcclGroup::barrier() { all_reduce(handles_->token, 1, DType::Float32); }

template <class F> void NcclGroup::on_device(Tensor& t, const char* what, F&& collective) {
  require_contiguous(t, what);
#ifdef PLDR_CUDA
  if (t.device() == Device::CPU) {
    Tensor on_gpu = t.to(Device::CUDA);
    on_device(on_gpu, what, collective);
    t.copy_from(on_gpu);
    return;
  }
  const auto compute = static_cast<cudaStream_t>(cuda::stream_handle());
  check_cuda(cudaEventRecord(handles_->queued, compute), std::string(what) + ": cudaEventRecord");
  check_cuda(cudaStreamWaitEvent(handles_->stream, handles_->queued, 0), std::string(what) + ": cudaStreamWaitEvent");
  collective(tensor_bytes(t));  // ends with finish(): the host has waited for the group's stream
#else
  (void)collective;
  throw DistError(std::string(what) +
                  ": the nccl engine takes tensors in a build with the CUDA backend only "
                  "(-DPLDR_CUDA=ON); this one has none, so every tensor is a CPU tensor");
#endif
}

void NcclGroup::all_reduce(Tensor& t) {
  on_device(t, "all_reduce", [&](char* data) { all_reduce(data, size_t(t.numel()), t.dtype()); });
}

void NcclGroup::broadcast(Tensor& t, int root) {
  on_device(t, "broadcast", [&](char* data) { broadcast(data, size_t(t.numel()) * dtype_size(t.dtype()), root); });
}

void NcclGroup::reduce_scatter(Tensor& t) {
  on_device(t, "reduce_scatter", [&](char* data) { ProcessGroup::reduce_scatter(data, size_t(t.numel()), t.dtype()); });
}

void NcclGroup::all_gather(Tensor& t) {
  on_device(t, "all_gather", [&](char* data) { ProcessGroup::all_gather(data, size_t(t.numel()), t.dtype()); });
}

}  // namespace pldr::dist
