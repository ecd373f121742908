// The attention mask and the optimiser kernels (AdamW update, per-tensor sums of squares, the
// clipping coefficient); formulas and layouts in tensor/cpu/kernels.h. Elementwise work is a
// thread per element; compiled with --fmad=false, so each product and sum rounds as on the CPU.
#include <vector>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/device_math.cuh"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

template <class T> __global__ void attention_mask_kernel(T* out, const int32_t* ids, int64_t batch, int64_t queries,
                                                         int64_t keys, int pad_id) {
  const int64_t n = batch * queries * keys, first = keys - queries;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = i % keys, s = (i / keys) % queries, b = i / (keys * queries);
    const bool hidden = t > first + s || ids[b * keys + t] == pad_id;
    out[i] = hidden ? static_cast<T>(-1e9) : T(0);
  }
}

template <class T>
__global__ void adamw_kernel(T* w, T* m, T* v, const T* g, int64_t n, T decay, T b1, T b2, T eps, T bias2, T size) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < n; j += int64_t(gridDim.x) * blockDim.x) {
    T wj = w[j] * decay;
    const T mj = m[j] * b1 + g[j] * (T(1) - b1);
    const T vj = v[j] * b2 + g[j] * g[j] * (T(1) - b2);
    wj -= size * mj / (math::sqrt(vj) / bias2 + eps);
    w[j] = wj;
    m[j] = mj;
    v[j] = vj;
  }
}

template <class T> __global__ void store_double_kernel(double* out, const T* value) {
  *out = static_cast<double>(*value);
}

__global__ void clip_coefficient_kernel(double* out, const double* norm, double max_norm) {
  const double n = *norm;
  *out = n > max_norm ? max_norm / (n + 1e-6) : 1.0;
}

}  // namespace

void attention_mask(Tensor& out, const Tensor& key_ids_in, int pad_id) {
  const Tensor key_ids = dense_input(key_ids_in);
  const int64_t batch = key_ids.shape()[0], keys = key_ids.shape()[1], queries = out.shape()[2];
  const int64_t n = batch * queries * keys;
  if (n == 0) return;
  dispatch_floating(out.dtype(), "attention_mask", [&](auto tag) {
    using T = decltype(tag);
    attention_mask_kernel<T><<<element_blocks(n), kElementThreads, 0, stream()>>>(
        out.data<T>(), key_ids.data<int32_t>(), batch, queries, keys, pad_id);
    PLDR_CUDA_CHECK_LAUNCH("attention_mask");
  });
}

void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step) {
  const int64_t n = param.numel();
  if (n == 0) return;
  dispatch_floating(param.dtype(), "adamw", [&](auto tag) {
    using T = decltype(tag);
    adamw_kernel<T><<<element_blocks(n), kElementThreads, 0, stream()>>>(
        param.data<T>(), m.data<T>(), v.data<T>(), grad.data<T>(), n, T(step.decay), T(step.beta1), T(step.beta2),
        T(step.eps), T(step.bias2_sqrt), T(step.step_size));
    PLDR_CUDA_CHECK_LAUNCH("adamw");
  });
}

void sum_of_squares(Tensor& out, const std::vector<Tensor>& xs) {
  double* po = out.data<double>();
  for (size_t p = 0; p < xs.size(); ++p) {
    const Tensor& x = xs[p];
    dispatch_floating(x.dtype(), "sum_of_squares", [&](auto tag) {
      using T = decltype(tag);
      Tensor squares = Tensor::uninitialized(x.shape(), x.dtype(), Device::CUDA);
      binary(BinaryOp::Mul, squares, x, x);
      Tensor total = Tensor::uninitialized(Shape{}, x.dtype(), Device::CUDA);
      reduce_rows(ReduceOp::Sum, total, squares, x.numel());
      store_double_kernel<T><<<1, 1, 0, stream()>>>(po + p, total.data<T>());
      PLDR_CUDA_CHECK_LAUNCH("sum_of_squares");
    });
  }
}

void clip_coefficient(Tensor& out, const Tensor& norm, double max_norm) {
  clip_coefficient_kernel<<<1, 1, 0, stream()>>>(out.data<double>(), norm.data<double>(), max_norm);
  PLDR_CUDA_CHECK_LAUNCH("clip_coefficient");
}

}  // namespace pldr::cuda
