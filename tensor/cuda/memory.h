// Device memory of the CUDA backend: a caching allocator and the copies between host and device.
//
// Allocation policy. cudaMalloc and cudaFree synchronise the device and cost tens of
// microseconds to milliseconds, far more than most kernels, so freed blocks are kept for reuse:
// - Every request is rounded up to a size class: multiples of 512 bytes up to 4 KiB, then four
//   classes per power of two (4 KiB, 5 KiB, 6 KiB, 7 KiB, 8 KiB, 10 KiB, ...), so a block wastes
//   at most a quarter of its size and a training step's recurring shapes map to a few classes.
// - release() puts a block on its class's free list; allocate() pops one from there, and calls
//   cudaMalloc only when the list is empty. Blocks are never split or merged.
// - Reuse without waiting is safe because every kernel and copy of the backend runs on one stream
//   (runtime.cuh): work that reads a released block was queued before any work of its next owner.
// - When cudaMalloc runs out of memory, every cached block is returned to the driver (cudaFree)
//   and the allocation is tried once more before an error names the request and the totals.
// - Cached blocks are kept until empty_cache() or the end of the process.
// Plain C++: no CUDA types, so that code outside tensor/cuda/ can include it.
#pragma once
#include <cstddef>
#include <string>

namespace pldr::cuda {

// True when a CUDA device is usable by this build (a driver, a device, and code for its
// architecture); otherwise false with the reason in *why (when why is not null). Never throws.
bool device_available(std::string* why);

// At least `bytes` of device memory (null for 0 bytes), from the cache when a block of the same
// size class is free. Throws std::runtime_error when the device is out of memory.
void* allocate(size_t bytes);
// Returns a block from allocate(); `bytes` is the size it was asked for. Null is ignored.
void release(void* ptr, size_t bytes);
// Returns every cached (free) block to the driver.
void empty_cache();

struct MemoryStats {
  size_t in_use = 0;  // bytes in blocks handed out (rounded to size classes)
  size_t cached = 0;  // bytes in free blocks kept for reuse
  size_t peak = 0;    // largest in_use + cached so far
};
MemoryStats memory_stats();

// Queued on the backend's stream, in order with its kernels.
void memset_zero(void* dst, size_t bytes);
void copy_from_host(void* dst, const void* src, size_t bytes);  // src may be reused on return
void copy_device(void* dst, const void* src, size_t bytes);
// Waits for all queued work, then copies. Like synchronize(), raises a pending kernel error.
void copy_to_host(void* dst, const void* src, size_t bytes);

// The backend's stream (a cudaStream_t, as void* to keep CUDA types out of this header): for code
// outside tensor/cuda/ that orders work of its own after the backend's (dist/nccl_group.cpp).
void* stream_handle();

// Waits until all queued work has finished, then throws the first error a kernel recorded since
// the last check (a token id or target outside its range, as std::out_of_range with the same
// message as the CPU backend). Kernels cannot throw, so such errors surface at the next
// synchronize(), copy_to_host() or cross_entropy_sum().
void synchronize();

}  // namespace pldr::cuda
