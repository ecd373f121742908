// Sums and maxima over the threads of a block, in a fixed order (a butterfly within each warp,
// then the warps' results in warp order), so the same inputs give the same bits on every run.
// blockDim.x must be a multiple of 32 and at most 1024; every thread of the block must call.
#pragma once
#include "tensor/cuda/device_math.cuh"

namespace pldr::cuda {

struct SumOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
  template <class T> __device__ __forceinline__ T operator()(T a, T b) const { return math::max_of(a, b); }
};

template <class T, class Op> __device__ __forceinline__ T warp_reduce(T v, Op op) {
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Every thread gets the reduction of all threads' v. Safe to call repeatedly in a row.
template <class T, class Op> __device__ T block_reduce(T v, Op op) {
  __shared__ T warp_results[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_reduce(v, op);
  __syncthreads();  // an earlier call may still be reading warp_results
  if (lane == 0) warp_results[warp] = v;
  __syncthreads();
  T total = warp_results[0];
  for (int w = 1; w < warps; ++w) total = op(total, warp_results[w]);
  return total;
}

template <class T> __device__ __forceinline__ T block_sum(T v) { return block_reduce(v, SumOp{}); }
template <class T> __device__ __forceinline__ T block_max(T v) { return block_reduce(v, MaxOp{}); }

}  // namespace pldr::cuda
