// The runtime of the host emulation: host memory, no stream, and grids of at most three blocks
// so that every grid-stride loop takes more than one turn.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/memory.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {
KernelErrorRecord record{};
constexpr int64_t kMostBlocks = 3;
}  // namespace

void check_launch(const char*, const char*, int) {}
cudaStream_t stream() { return nullptr; }
int multiprocessor_count() { return 1; }
unsigned int element_blocks(int64_t n) {
  return static_cast<unsigned int>(std::clamp<int64_t>((n + kElementThreads - 1) / kElementThreads, 1, kMostBlocks));
}
unsigned int row_blocks(int64_t rows) { return static_cast<unsigned int>(std::clamp<int64_t>(rows, 1, kMostBlocks)); }
int row_threads(int64_t d) {
  int threads = 32;
  while (threads < kMaxRowThreads && threads < d) threads *= 2;
  return threads;
}
KernelErrorRecord* kernel_error_record() { return &record; }

void* allocate(size_t bytes) { return bytes ? std::malloc(bytes) : nullptr; }
void release(void* ptr, size_t) { std::free(ptr); }
void memset_zero(void* dst, size_t bytes) { std::memset(dst, 0, bytes); }
void copy_from_host(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
// The table of backend.cpp is linked but never used: every tensor here lives on the CPU. matmul
// goes through cuBLAS, so its plan is checked by matmul_plan_vs_cpu instead.
void matmul(Tensor&, const Tensor&, const Tensor&, double) { throw std::logic_error("the emulation has no cuBLAS"); }
bool device_available(std::string* why) {
  if (why) *why = "the host emulation has no device";
  return false;
}
void copy_to_host(void* dst, const void* src, size_t bytes) {
  std::memcpy(dst, src, bytes);
  synchronize();
}

void synchronize() {
  if (record.kind == 0) return;
  const KernelErrorRecord error = record;
  record = {};
  throw std::out_of_range("kernel error kind " + std::to_string(error.kind) + ": value " + std::to_string(error.value) +
                          ", limit " + std::to_string(error.limit));
}

}  // namespace pldr::cuda
