// The stream, the cuBLAS handle, error reporting and the device check.
//
// The stream, handle and error record are created once, on first use, and deliberately never
// destroyed: at process exit the CUDA runtime may already be torn down when static destructors
// run, and the driver frees everything of the process anyway.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "tensor/cuda/memory.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

std::string where(const char* file, int line) { return std::string(file) + ":" + std::to_string(line); }

// A kernel that does nothing: asking for its attributes tells whether this build holds code
// (SASS or PTX) the device can run.
__global__ void probe_kernel() {}

struct Runtime {
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  KernelErrorRecord* error_device = nullptr;  // what kernels write
  KernelErrorRecord* error_host = nullptr;    // pinned: its copy, read at synchronize()
  int multiprocessors = 0;
};

Runtime& runtime() {
  static Runtime* rt = [] {
    std::string why;
    if (!device_available(&why)) throw std::runtime_error("cuda: " + why);
    auto* r = new Runtime;
    PLDR_CUDA_CHECK(cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking));
    PLDR_CUBLAS_CHECK(cublasCreate(&r->blas));
    PLDR_CUBLAS_CHECK(cublasSetStream(r->blas, r->stream));
    PLDR_CUBLAS_CHECK(cublasSetMathMode(r->blas, CUBLAS_DEFAULT_MATH));
    PLDR_CUBLAS_CHECK(cublasSetAtomicsMode(r->blas, CUBLAS_ATOMICS_NOT_ALLOWED));
    PLDR_CUDA_CHECK(cudaMalloc(&r->error_device, sizeof(KernelErrorRecord)));
    PLDR_CUDA_CHECK(cudaMemsetAsync(r->error_device, 0, sizeof(KernelErrorRecord), r->stream));
    PLDR_CUDA_CHECK(cudaMallocHost(&r->error_host, sizeof(KernelErrorRecord)));
    int device = 0;
    PLDR_CUDA_CHECK(cudaGetDevice(&device));
    PLDR_CUDA_CHECK(cudaDeviceGetAttribute(&r->multiprocessors, cudaDevAttrMultiProcessorCount, device));
    return r;
  }();
  return *rt;
}

}  // namespace

void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line) {
  throw std::runtime_error(std::string("cuda: ") + call + " failed at " + where(file, line) + ": " +
                           cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  throw std::runtime_error(std::string("cuda: ") + call + " failed at " + where(file, line) + ": " +
                           cublasGetStatusName(status) + " (" + cublasGetStatusString(status) + ")");
}

void check_launch(const char* kernel_name, const char* file, int line) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("cuda: kernel ") + kernel_name + " at " + where(file, line) +
                             " (its launch, or an earlier kernel's fault): " + cudaGetErrorName(err) + " (" +
                             cudaGetErrorString(err) + ")");
}

bool device_available(std::string* why) {
  static const std::string reason = [] {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err == cudaErrorNoDevice || (err == cudaSuccess && count == 0)) return std::string("no CUDA device found");
    if (err == cudaErrorInsufficientDriver)
      return "no NVIDIA driver, or one older than this build's CUDA " + std::to_string(CUDART_VERSION / 1000) + "." +
             std::to_string(CUDART_VERSION % 1000 / 10) + " (cudaGetDeviceCount: " + cudaGetErrorString(err) + ")";
    if (err != cudaSuccess)
      return std::string("CUDA is not usable: cudaGetDeviceCount failed: ") + cudaGetErrorName(err) + " (" +
             cudaGetErrorString(err) + ")";
    cudaFuncAttributes attributes;
    err = cudaFuncGetAttributes(&attributes, probe_kernel);
    if (err != cudaSuccess) {
      int device = 0, major = 0, minor = 0;
      cudaGetDevice(&device);
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
      cudaGetLastError();  // clear the error so later calls start clean
      return "this build has no code for the device (compute capability " + std::to_string(major) + "." +
             std::to_string(minor) + "): " + cudaGetErrorString(err) +
             "; reconfigure with -DCMAKE_CUDA_ARCHITECTURES=" + std::to_string(major * 10 + minor);
    }
    return std::string();
  }();
  if (why) *why = reason;
  return reason.empty();
}

cudaStream_t stream() { return runtime().stream; }
cublasHandle_t blas() { return runtime().blas; }
int multiprocessor_count() { return runtime().multiprocessors; }
KernelErrorRecord* kernel_error_record() { return runtime().error_device; }

unsigned int element_blocks(int64_t n) {
  const int64_t needed = (n + kElementThreads - 1) / kElementThreads;
  const int64_t most = int64_t(multiprocessor_count()) * 16;  // ~8 resident 256-thread blocks per SM, twice over
  return static_cast<unsigned int>(std::clamp<int64_t>(needed, 1, most));
}

unsigned int row_blocks(int64_t rows) {
  return static_cast<unsigned int>(std::clamp<int64_t>(rows, 1, int64_t(1) << 30));
}

int row_threads(int64_t d) {
  int threads = 32;
  while (threads < kMaxRowThreads && threads < d) threads *= 2;
  return threads;
}

void synchronize() {
  Runtime& rt = runtime();
  // The error record's copy rides in the same wait as the work before it.
  PLDR_CUDA_CHECK(
      cudaMemcpyAsync(rt.error_host, rt.error_device, sizeof(KernelErrorRecord), cudaMemcpyDeviceToHost, rt.stream));
  PLDR_CUDA_CHECK(cudaStreamSynchronize(rt.stream));
  const KernelErrorRecord error = *rt.error_host;
  if (error.kind == 0) return;
  PLDR_CUDA_CHECK(cudaMemsetAsync(rt.error_device, 0, sizeof(KernelErrorRecord), rt.stream));
  switch (static_cast<KernelErrorKind>(error.kind)) {
    case KernelErrorKind::EmbeddingId:
      throw std::out_of_range("embedding: token id " + std::to_string(error.value) + " outside vocabulary of " +
                              std::to_string(error.limit));
    case KernelErrorKind::CrossEntropyTarget:
      throw std::out_of_range("cross_entropy: target " + std::to_string(error.value) + " outside " +
                              std::to_string(error.limit) + " classes");
    case KernelErrorKind::None: break;
  }
  throw std::logic_error("cuda: unknown kernel error kind " + std::to_string(error.kind));
}

}  // namespace pldr::cuda
