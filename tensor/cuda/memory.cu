// The caching allocator and the copies (the policy is described in memory.h).
#include <algorithm>
#include <bit>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/cuda/memory.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

constexpr size_t kMinBlock = 512;
constexpr size_t kClassesPerOctave = 4;

// The size class of a request: a multiple of 512 bytes up to 4 KiB, above that one of four evenly
// spaced sizes between consecutive powers of two.
size_t size_class(size_t bytes) {
  if (bytes <= kMinBlock * 8) return std::max<size_t>(kMinBlock, (bytes + kMinBlock - 1) / kMinBlock * kMinBlock);
  const size_t octave = std::bit_floor(bytes - 1);  // the power of two just below the request
  const size_t step = octave / kClassesPerOctave;
  return (bytes + step - 1) / step * step;
}

std::string mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

class CachingAllocator {
 public:
  void* allocate(size_t bytes) {
    if (bytes == 0) return nullptr;
    const size_t size = size_class(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<void*>& free_list = free_[size];
    void* ptr = nullptr;
    if (!free_list.empty()) {
      ptr = free_list.back();
      free_list.pop_back();
      stats_.cached -= size;
    } else {
      ptr = device_malloc(size, bytes);
    }
    stats_.in_use += size;
    stats_.peak = std::max(stats_.peak, stats_.in_use + stats_.cached);
    return ptr;
  }

  void release(void* ptr, size_t bytes) {
    if (!ptr) return;
    const size_t size = size_class(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    free_[size].push_back(ptr);
    stats_.in_use -= size;
    stats_.cached += size;
  }

  void empty_cache() {
    std::lock_guard<std::mutex> lock(mutex_);
    free_cached();
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  // cudaMalloc, retried once after returning the cache to the driver when memory runs out.
  void* device_malloc(size_t size, size_t requested) {
    void* ptr = nullptr;
    cudaError_t err = cudaMalloc(&ptr, size);
    if (err == cudaErrorMemoryAllocation && stats_.cached > 0) {
      cudaGetLastError();  // clear the failure before trying again
      free_cached();
      err = cudaMalloc(&ptr, size);
    }
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw std::runtime_error("cuda: out of device memory allocating " + std::to_string(requested) + " bytes (" +
                               mib(stats_.in_use) + " in use by tensors)");
    }
    if (err != cudaSuccess) throw_cuda_error(err, "cudaMalloc", __FILE__, __LINE__);
    return ptr;
  }

  // cudaFree waits for the device, so queued kernels that still read a cached block finish first.
  void free_cached() {
    for (auto& [size, blocks] : free_) {
      for (void* p : blocks) PLDR_CUDA_CHECK(cudaFree(p));
      stats_.cached -= size * blocks.size();
      blocks.clear();
    }
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  MemoryStats stats_;
};

// Never destroyed: tensors released by static destructors at exit still find it.
CachingAllocator& allocator() {
  static CachingAllocator* a = new CachingAllocator;
  return *a;
}

}  // namespace

void* allocate(size_t bytes) {
  stream();  // creates the runtime first, so a missing device is reported as such
  return allocator().allocate(bytes);
}

void release(void* ptr, size_t bytes) { allocator().release(ptr, bytes); }
void empty_cache() { allocator().empty_cache(); }
MemoryStats memory_stats() { return allocator().stats(); }

void memset_zero(void* dst, size_t bytes) {
  if (bytes) PLDR_CUDA_CHECK(cudaMemsetAsync(dst, 0, bytes, stream()));
}

void copy_from_host(void* dst, const void* src, size_t bytes) {
  // From pageable memory this returns once src has been staged, so the caller may reuse it.
  if (bytes) PLDR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream()));
}

void copy_device(void* dst, const void* src, size_t bytes) {
  if (bytes) PLDR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()));
}

void* stream_handle() { return stream(); }

void copy_to_host(void* dst, const void* src, size_t bytes) {
  if (bytes) PLDR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream()));
  synchronize();
}

}  // namespace pldr::cuda
