// The CUDA runtime state shared by every kernel file: error checks, the one stream, the one
// cuBLAS handle, launch sizes, and the record through which kernels report bad indices.
// Included only by .cu files.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace pldr::cuda {

// Throws std::runtime_error naming the call, the place and CUDA's error name and description.
[[noreturn]] void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line);

#define PLDR_CUDA_CHECK(call)                                                                           \
  do {                                                                                                  \
    const cudaError_t pldr_err_ = (call);                                                               \
    if (pldr_err_ != cudaSuccess) ::pldr::cuda::throw_cuda_error(pldr_err_, #call, __FILE__, __LINE__); \
  } while (0)

#define PLDR_CUBLAS_CHECK(call)                                                  \
  do {                                                                           \
    const cublasStatus_t pldr_status_ = (call);                                  \
    if (pldr_status_ != CUBLAS_STATUS_SUCCESS)                                   \
      ::pldr::cuda::throw_cublas_error(pldr_status_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: a bad launch configuration (or an earlier asynchronous fault) throws
// with the kernel's name.
#define PLDR_CUDA_CHECK_LAUNCH(kernel_name) ::pldr::cuda::check_launch(kernel_name, __FILE__, __LINE__)
void check_launch(const char* kernel_name, const char* file, int line);

// The process's one stream (non-blocking, created on first use); every kernel and copy runs on
// it, so they execute in the order they were queued.
cudaStream_t stream();
// The process's one cuBLAS handle, bound to stream(), default math mode: float32 products are
// computed in float32 (no TF32), and no atomics, so results repeat bit for bit.
cublasHandle_t blas();
// Streaming multiprocessors of the current device.
int multiprocessor_count();

// Threads per block of the elementwise kernels, and their grid: enough blocks to fill the
// device several times over, each thread then looping with a grid stride.
constexpr int kElementThreads = 256;
unsigned int element_blocks(int64_t n);
// Grid for kernels with one block per row (rows beyond it are taken in a grid-stride loop).
unsigned int row_blocks(int64_t rows);
// Threads per block for one row of `d` elements: a multiple of 32 from 32 to kMaxRowThreads.
constexpr int kMaxRowThreads = 512;
int row_threads(int64_t d);

// Errors found inside kernels (bad token ids or targets), in one record in device memory: a
// kernel claims it once (kind 0 -> its kind) and writes the offending value and its limit;
// synchronize() copies it to the host with the wait it does anyway, throws and clears it. Which
// bad value is reported when several are bad is not specified.
enum class KernelErrorKind : int { None = 0, EmbeddingId = 1, CrossEntropyTarget = 2 };
struct KernelErrorRecord {
  int kind;
  int value;
  long long limit;
};
KernelErrorRecord* kernel_error_record();  // device-accessible pointer

__device__ inline void record_kernel_error(KernelErrorRecord* rec, KernelErrorKind kind, int value, long long limit) {
  if (atomicCAS(&rec->kind, 0, static_cast<int>(kind)) == 0) {
    rec->value = value;
    rec->limit = limit;
  }
}

}  // namespace pldr::cuda
