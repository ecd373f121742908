// A host emulation of the few CUDA features the kernels use, so that their logic (indexing,
// reduction orders, compaction, synchronisation) can be checked against the CPU kernels on a
// machine without a GPU (run.sh). Blocks run one after another; each CUDA thread of a block is a
// std::thread; __syncthreads and the warp operations are barriers; __shared__ becomes a
// function-local static, which is shared memory exactly while one block runs at a time.
// Not emulated: timing, memory coalescing, CUDA's math library (the host's libm stands in).
#pragma once
#include <math.h>
#include <bit>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __constant__

using cudaError_t = int;
constexpr int cudaSuccess = 0;
using cudaStream_t = void*;

namespace emu {
// A reusable barrier on one mutex: it orders only the threads that use it (std::barrier's shared
// wait pool would make ThreadSanitizer see order between unrelated barriers and miss races).
class Barrier {
 public:
  explicit Barrier(unsigned count) : count_(count) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const unsigned generation = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      all_arrived_.notify_all();
    } else {
      all_arrived_.wait(lock, [&] { return generation_ != generation; });
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_arrived_;
  unsigned count_, arrived_ = 0, generation_ = 0;
};

struct Idx {
  unsigned x = 0;
};
inline thread_local Idx thread_idx, block_idx;
inline Idx block_dim, grid_dim;
struct Warp {
  Barrier bar{32};
  uint64_t vals[32];
};
inline std::unique_ptr<Barrier> block_barrier;
inline std::vector<std::unique_ptr<Warp>> warps;
inline std::mutex atomic_mutex;
inline Warp& warp() { return *warps[thread_idx.x / 32]; }

inline void launch(unsigned grid, unsigned block, const std::function<void()>& f) {
  grid_dim.x = grid;
  block_dim.x = block;
  for (unsigned b = 0; b < grid; ++b) {
    block_barrier = std::make_unique<Barrier>(block);
    warps.clear();
    for (unsigned w = 0; w < block / 32; ++w) warps.push_back(std::make_unique<Warp>());
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < block; ++t)
      threads.emplace_back([&, t, b] {
        thread_idx.x = t;
        block_idx.x = b;
        f();
      });
    for (auto& th : threads) th.join();
  }
}
}  // namespace emu

#define threadIdx emu::thread_idx
#define blockIdx emu::block_idx
#define blockDim emu::block_dim
#define gridDim emu::grid_dim

inline void __syncthreads() { emu::block_barrier->arrive_and_wait(); }

template <class T> T __shfl_xor_sync(unsigned, T v, int mask) {
  auto& w = emu::warp();
  const int lane = threadIdx.x % 32;
  std::memcpy(&w.vals[lane], &v, sizeof(T));
  w.bar.arrive_and_wait();
  T r;
  std::memcpy(&r, &w.vals[lane ^ mask], sizeof(T));
  w.bar.arrive_and_wait();
  return r;
}

inline unsigned __ballot_sync(unsigned, bool p) {
  auto& w = emu::warp();
  const int lane = threadIdx.x % 32;
  w.vals[lane] = p;
  w.bar.arrive_and_wait();
  unsigned bits = 0;
  for (int i = 0; i < 32; ++i) bits |= unsigned(w.vals[i] != 0) << i;
  w.bar.arrive_and_wait();
  return bits;
}

inline int __popc(unsigned v) { return std::popcount(v); }
inline int atomicCAS(int* p, int cmp, int val) {
  std::lock_guard<std::mutex> lock(emu::atomic_mutex);
  const int old = *p;
  if (old == cmp) *p = val;
  return old;
}
inline float __int_as_float(int v) { return std::bit_cast<float>(v); }
inline double __longlong_as_double(long long v) { return std::bit_cast<double>(v); }
inline long min(long a, long b) { return a < b ? a : b; }
