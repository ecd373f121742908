// Softmax and log-softmax over the last axis of a dense [rows, D] tensor, optionally of x plus an
// additive mask (the attention mask, fused so the masked scores never make a tensor of their
// own), and their backwards.
#include <cmath>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/cpu/vector_exp.h"

namespace pldr::cpu {

namespace {

// Where row r's mask starts in the mask's data: r split into coordinates over the leading axes
// (x's shape), each times the mask's stride there (0 on a broadcast axis).
int64_t mask_row_offset(const Tensor& mask, int64_t r) {
  int64_t offset = 0;
  for (int axis = mask.dim() - 2; axis >= 0; --axis) {
    const int64_t size = mask.shape()[axis];
    offset += (r % size) * mask.strides()[axis];
    r /= size;
  }
  return offset;
}

}  // namespace

void softmax_rows(Tensor& out, const Tensor& x, const Tensor& mask, bool log) {
  dispatch_floating(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    const int64_t d = x.shape().back(), rows = x.numel() / std::max<int64_t>(d, 1);
    const T* px = x.data<T>();
    const T* pm = mask.defined() ? mask.data<T>() : nullptr;
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (rows * d >= kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      const T* in = px + r * d;
      T* o = po + r * d;
      if (pm) {  // the masked row x + m, rounded to T as a separate add would, is the input
        const T* m = pm + mask_row_offset(mask, r);
#pragma omp simd
        for (int64_t i = 0; i < d; ++i) o[i] = in[i] + m[i];
        in = o;
      }
      T mx = in[0];
      for (int64_t i = 1; i < d; ++i) mx = in[i] > mx ? in[i] : mx;
      // exp_fast: vectorised for float; masked scores (-1e9) give exactly 0 without a slow path.
      T total = 0;
      if (log) {
#pragma omp simd reduction(+ : total)
        for (int64_t i = 0; i < d; ++i) total += exp_fast(in[i] - mx);
        const T lse = mx + std::log(total);
        for (int64_t i = 0; i < d; ++i) o[i] = in[i] - lse;
      } else {
#pragma omp simd reduction(+ : total)
        for (int64_t i = 0; i < d; ++i) total += (o[i] = exp_fast(in[i] - mx));  // exp once per element
        for (int64_t i = 0; i < d; ++i) o[i] /= total;
      }
    }
  });
}

void softmax_back_rows(Tensor& out, const Tensor& y, const Tensor& g, bool log) {
  dispatch_floating(y.dtype(), "softmax_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t d = y.shape().back(), rows = y.numel() / std::max<int64_t>(d, 1);
    const T* py = y.data<T>();
    const T* pg = g.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (rows * d >= kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      const T* yr = py + r * d;
      const T* gr = pg + r * d;
      T* o = po + r * d;
      T dot = 0;
      if (log) {
        for (int64_t i = 0; i < d; ++i) dot += gr[i];
        for (int64_t i = 0; i < d; ++i) o[i] = gr[i] - std::exp(yr[i]) * dot;
      } else {
        for (int64_t i = 0; i < d; ++i) dot += gr[i] * yr[i];
        for (int64_t i = 0; i < d; ++i) o[i] = yr[i] * (gr[i] - dot);
      }
    }
  });
}

}  // namespace pldr::cpu
