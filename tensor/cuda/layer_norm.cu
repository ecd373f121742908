// LayerNorm over the last axis with affine gain and bias (biased variance, as PyTorch and the
// CPU kernel), and its backward.
//
// Forward: one block per row; mean, then the mean of squared deviations (two passes, as the
// CPU), each a block-wide sum in a fixed tree order.
// Backward: one block per chunk of kColumnChunkRows rows, walking its rows in order: per row,
// two block-wide sums give dx; meanwhile each thread adds g·xhat and g for the columns it owns
// into the chunk's partial rows of dgamma and dbeta (no other thread touches them). A second
// pass adds the chunks' partial rows in chunk order. No float atomics: the same bits every run.
#include <algorithm>
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/reduce.cuh"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

template <class T> __global__ void layer_norm_kernel(T* y, T* mean_out, T* rstd_out, const T* x, const T* gamma,
                                                     const T* beta, int64_t rows, int64_t d, T eps) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* in = x + r * d;
    T* out = y + r * d;
    T mean = 0;
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) mean += in[i];
    mean = block_sum(mean) / T(d);
    T var = 0;
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) var += (in[i] - mean) * (in[i] - mean);
    var = block_sum(var) / T(d);
    const T rstd = T(1) / math::sqrt(var + eps);
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) out[i] = (in[i] - mean) * rstd * gamma[i] + beta[i];
    if (threadIdx.x == 0) {
      mean_out[r] = mean;
      rstd_out[r] = rstd;
    }
  }
}

// With xhat = (x - mean) rstd and dxhat = g gamma:
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)),  dgamma = sum_rows g xhat,  dbeta = sum_rows g.
// partial_gamma and partial_beta are [chunks, d]: chunk c's sums over its rows.
template <class T> __global__ void layer_norm_back_kernel(T* dx, T* partial_gamma, T* partial_beta, const T* g,
                                                          const T* x, const T* mean, const T* rstd, const T* gamma,
                                                          int64_t rows, int64_t d) {
  const int64_t chunks = (rows + kColumnChunkRows - 1) / kColumnChunkRows;
  for (int64_t c = blockIdx.x; c < chunks; c += gridDim.x) {
    T* pg = partial_gamma + c * d;
    T* pb = partial_beta + c * d;
    for (int64_t i = threadIdx.x; i < d; i += blockDim.x) pg[i] = pb[i] = T(0);
    const int64_t row_end = ::min(rows, (c + 1) * kColumnChunkRows);
    for (int64_t r = c * kColumnChunkRows; r < row_end; ++r) {
      const T* in = x + r * d;
      const T* go = g + r * d;
      const T m = mean[r], s = rstd[r];
      T mean_dxhat = 0, mean_dxhat_xhat = 0;
      for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
        const T xhat = (in[i] - m) * s, dxhat = go[i] * gamma[i];
        mean_dxhat += dxhat;
        mean_dxhat_xhat += dxhat * xhat;
        pg[i] += go[i] * xhat;  // column i belongs to this thread in every row
        pb[i] += go[i];
      }
      mean_dxhat = block_sum(mean_dxhat) / T(d);
      mean_dxhat_xhat = block_sum(mean_dxhat_xhat) / T(d);
      T* out = dx + r * d;
      for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
        const T xhat = (in[i] - m) * s;
        out[i] = s * (go[i] * gamma[i] - mean_dxhat - xhat * mean_dxhat_xhat);
      }
    }
  }
}

}  // namespace

void layer_norm(LayerNormResult& r, const Tensor& x_in, const Tensor& gamma_in, const Tensor& beta_in, double eps) {
  const Tensor x = dense_input(x_in), gamma = dense_input(gamma_in), beta = dense_input(beta_in);
  const int64_t d = x.shape().back(), rows = x.numel() / std::max<int64_t>(d, 1);
  if (rows == 0 || d == 0) return;
  dispatch_floating(x.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    layer_norm_kernel<T><<<row_blocks(rows), row_threads(d), 0, stream()>>>(
        r.y.data<T>(), r.mean.data<T>(), r.rstd.data<T>(), x.data<T>(), gamma.data<T>(), beta.data<T>(), rows, d,
        static_cast<T>(eps));
    PLDR_CUDA_CHECK_LAUNCH("layer_norm");
  });
}

void layer_norm_back(LayerNormGrads& r, const Tensor& g_in, const Tensor& x_in, const Tensor& mean_in,
                     const Tensor& rstd_in, const Tensor& gamma_in) {
  const Tensor g = dense_input(g_in), x = dense_input(x_in), mean = dense_input(mean_in), rstd = dense_input(rstd_in),
               gamma = dense_input(gamma_in);
  const int64_t d = x.shape().back(), rows = x.numel() / std::max<int64_t>(d, 1);
  if (d == 0) return;
  dispatch_floating(x.dtype(), "layer_norm_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t chunks = (rows + kColumnChunkRows - 1) / kColumnChunkRows;
    const size_t partial_bytes = sizeof(T) * size_t(chunks * d);
    T* partial_gamma = static_cast<T*>(allocate(partial_bytes));
    T* partial_beta = static_cast<T*>(allocate(partial_bytes));
    if (chunks > 0) {
      layer_norm_back_kernel<T><<<row_blocks(chunks), row_threads(d), 0, stream()>>>(
          r.dx.data<T>(), partial_gamma, partial_beta, g.data<T>(), x.data<T>(), mean.data<T>(), rstd.data<T>(),
          gamma.data<T>(), rows, d);
      PLDR_CUDA_CHECK_LAUNCH("layer_norm_back");
    }
    // Chunk sums in chunk order, accumulated in T as the CPU kernel (zero rows give zeros).
    reduce_columns_in_order<T, T>(ReduceOp::Sum, r.dgamma.data<T>(), partial_gamma, chunks, d);
    reduce_columns_in_order<T, T>(ReduceOp::Sum, r.dbeta.data<T>(), partial_beta, chunks, d);
    release(partial_gamma, partial_bytes);
    release(partial_beta, partial_bytes);
  });
}

}  // namespace pldr::cuda
