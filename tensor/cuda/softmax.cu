// Softmax and log-softmax over the last axis of [rows, D] (optionally of x plus an additive mask),
// and their backwards: one block per
// row, block-wide max and sum in a fixed tree order, then one pass writing the row.
//
// Like the CPU kernel, max then sum of exp(x - max) in T. The CPU skips exp below -104 (float)
// or -746 (double) only for speed (exp rounds to 0 there anyway), so plain exp gives the same
// values; a row of -inf gives NaN on both.
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"
#include "tensor/cuda/strided.cuh"

namespace pldr::cuda {

namespace {

// mask, when not null, is added to x first (x + m rounded to T, as the CPU): row r's mask starts at
// the offset that mask_rows gives for r (the leading axes, stride 0 where the mask is broadcast).
template <class T> __global__ void softmax_kernel(T* out, const T* x, const T* mask, StridedIndex<1> mask_rows,
                                                  int64_t rows, int64_t d, bool log) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* in = x + r * d;
    const T* m = nullptr;
    if (mask) {
      int64_t offset[1];
      element_offsets(mask_rows, r, offset);
      m = mask + offset[0];
    }
    auto value = [&](int64_t i) { return m ? in[i] + m[i] : in[i]; };
    T* o = out + r * d;
    T mx = -math::infinity<T>();
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) mx = math::max_of(mx, value(i));
    // The CPU starts from in[0]: a NaN there makes the whole row NaN, as it does here through the sum.
    mx = block_max(mx);
    T total = 0;
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) total += math::exp(value(i) - mx);
    total = block_sum(total);
    if (log) {
      const T lse = mx + math::log(total);
      for (int64_t i = threadIdx.x; i < d; i += blockDim.x) o[i] = value(i) - lse;
    } else {
      for (int64_t i = threadIdx.x; i < d; i += blockDim.x) o[i] = math::exp(value(i) - mx) / total;
    }
  }
}

// softmax: out = y (g - sum(g y)); log-softmax: out = g - exp(y) sum(g).
template <class T>
__global__ void softmax_back_kernel(T* out, const T* y, const T* g, int64_t rows, int64_t d, bool log) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* yr = y + r * d;
    const T* gr = g + r * d;
    T* o = out + r * d;
    T dot = 0;
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) dot += log ? gr[i] : gr[i] * yr[i];
    dot = block_sum(dot);
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x)
      o[i] = log ? gr[i] - math::exp(yr[i]) * dot : yr[i] * (gr[i] - dot);
  }
}

int64_t row_length(const Tensor& t) { return t.dim() == 0 ? 1 : t.shape().back(); }

}  // namespace

void softmax_rows(Tensor& out, const Tensor& x_in, const Tensor& mask, bool log) {
  const Tensor x = dense_input(x_in);
  const int64_t d = row_length(x), rows = d == 0 ? 0 : x.numel() / d;
  if (rows == 0) return;
  // The mask's row offsets over x's leading axes (its last axis is dense).
  StridedIndex<1> mask_rows{};
  if (mask.defined()) {
    const Shape lead(mask.shape().begin(), mask.shape().end() - 1);
    const Strides lead_strides(mask.strides().begin(), mask.strides().end() - 1);
    mask_rows = make_strided_index<1>("softmax", lead, {&lead_strides});
  }
  dispatch_floating(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* pm = mask.defined() ? mask.data<T>() : nullptr;
    softmax_kernel<T>
        <<<row_blocks(rows), row_threads(d), 0, stream()>>>(out.data<T>(), x.data<T>(), pm, mask_rows, rows, d, log);
    PLDR_CUDA_CHECK_LAUNCH("softmax_rows");
  });
}

void softmax_back_rows(Tensor& out, const Tensor& y_in, const Tensor& g_in, bool log) {
  const Tensor y = dense_input(y_in), g = dense_input(g_in);
  const int64_t d = row_length(y), rows = d == 0 ? 0 : y.numel() / d;
  if (rows == 0) return;
  dispatch_floating(y.dtype(), "softmax_back", [&](auto tag) {
    using T = decltype(tag);
    softmax_back_kernel<T>
        <<<row_blocks(rows), row_threads(d), 0, stream()>>>(out.data<T>(), y.data<T>(), g.data<T>(), rows, d, log);
    PLDR_CUDA_CHECK_LAUNCH("softmax_back_rows");
  });
}

}  // namespace pldr::cuda
