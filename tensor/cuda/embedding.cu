// Embedding lookup (row gather) and its backward (row scatter-add).
//
// Forward: one thread per output element. An id outside [0, V) writes zeros and is recorded;
// the next synchronize() throws the CPU kernel's message.
// Backward, deterministic without atomics or sorting ("row ownership"): block b owns vocabulary
// rows [b R, (b+1) R). It scans all ids in order, a tile of blockDim at a time, compacts the
// positions whose id it owns (keeping their order), and adds those rows of g into its own output
// rows; thread t owns columns t, t + blockDim, ... So each output element is the sum of its
// gradient rows in position order, starting from zero: the CPU kernel's order exactly, and the
// same bits every run. Cost: every block reads all ids (n·V/R int32 reads, mostly from L2).
#include <cstdint>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

constexpr int kOwnerThreads = 256;
constexpr int64_t kRowsPerOwner = 32;  // vocabulary rows per block in the backward

template <class T> __global__ void embedding_kernel(T* out, const T* weight, const int32_t* ids, int64_t n,
                                                    int64_t vocab, int64_t d, KernelErrorRecord* error) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n * d; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = t / d, j = t % d;
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab) {
      if (j == 0) record_kernel_error(error, KernelErrorKind::EmbeddingId, id, vocab);
      out[t] = T(0);
    } else {
      out[t] = weight[id * d + j];
    }
  }
}

template <class T>
__global__ void embedding_back_kernel(T* out, const T* g, const int32_t* ids, int64_t n, int64_t vocab, int64_t d) {
  __shared__ int32_t owned[kOwnerThreads];  // positions of this tile whose id this block owns, in order
  __shared__ int warp_counts[kOwnerThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  for (int64_t first_row = blockIdx.x * kRowsPerOwner; first_row < vocab;
       first_row += int64_t(gridDim.x) * kRowsPerOwner) {
    const int64_t last_row = ::min(vocab, first_row + kRowsPerOwner);
    for (int64_t e = first_row * d + threadIdx.x; e < last_row * d; e += blockDim.x) out[e] = T(0);
    for (int64_t tile = 0; tile < n; tile += blockDim.x) {
      const int64_t i = tile + threadIdx.x;
      const bool mine = i < n && ids[i] >= first_row && ids[i] < last_row;
      // Ordered compaction: each owned position's rank is the number of owned positions before it.
      const unsigned ballot = __ballot_sync(0xffffffffu, mine);
      if (lane == 0) warp_counts[warp] = __popc(ballot);
      __syncthreads();
      int rank = __popc(ballot & ((1u << lane) - 1u)), count = 0;
      for (int w = 0; w < int(blockDim.x / 32); ++w) {
        if (w < warp) rank += warp_counts[w];
        count += warp_counts[w];
      }
      if (mine) owned[rank] = static_cast<int32_t>(threadIdx.x);
      __syncthreads();
      for (int k = 0; k < count; ++k) {
        const int64_t position = tile + owned[k];
        const T* src = g + position * d;
        T* dst = out + int64_t(ids[position]) * d;
        for (int64_t j = threadIdx.x; j < d; j += blockDim.x) dst[j] += src[j];
      }
      __syncthreads();  // owned and warp_counts are rewritten by the next tile
    }
  }
}

}  // namespace

void embedding(Tensor& out, const Tensor& weight_in, const Tensor& ids_in) {
  const Tensor weight = dense_input(weight_in), ids = dense_input(ids_in);
  const int64_t vocab = weight.shape()[0], d = weight.shape()[1], n = ids.numel();
  if (n * d == 0) return;
  dispatch_floating(weight.dtype(), "embedding", [&](auto tag) {
    using T = decltype(tag);
    embedding_kernel<T><<<element_blocks(n * d), kElementThreads, 0, stream()>>>(
        out.data<T>(), weight.data<T>(), ids.data<int32_t>(), n, vocab, d, kernel_error_record());
    PLDR_CUDA_CHECK_LAUNCH("embedding");
  });
}

// Ids outside [0, V) own no row: they add nothing (the CPU kernel does not check them either).
void embedding_back(Tensor& out, const Tensor& g_in, const Tensor& ids_in) {
  const Tensor g = dense_input(g_in), ids = dense_input(ids_in);
  const int64_t vocab = out.shape()[0], d = out.shape()[1], n = ids.numel();
  if (vocab * d == 0) return;
  dispatch_floating(g.dtype(), "embedding_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t owners = (vocab + kRowsPerOwner - 1) / kRowsPerOwner;
    embedding_back_kernel<T><<<row_blocks(owners), kOwnerThreads, 0, stream()>>>(out.data<T>(), g.data<T>(),
                                                                                 ids.data<int32_t>(), n, vocab, d);
    PLDR_CUDA_CHECK_LAUNCH("embedding_back");
  });
}

}  // namespace pldr::cuda
