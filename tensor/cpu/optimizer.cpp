// Optimiser kernels: the fused AdamW update, per-tensor sums of squares for the global gradient
// norm, and the clipping coefficient (formulas in tensor/cpu/kernels.h).
#include <cmath>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step) {
  dispatch_floating(param.dtype(), "adamw", [&](auto tag) {
    using T = decltype(tag);
    T* w = param.data<T>();
    T* pm = m.data<T>();
    T* pv = v.data<T>();
    const T* g = grad.data<T>();
    const int64_t n = param.numel();
    const T decay = T(step.decay), b1 = T(step.beta1), b2 = T(step.beta2), eps = T(step.eps);
    const T bias2 = T(step.bias2_sqrt), size = T(step.step_size);
#pragma omp parallel for schedule(static) if (n >= kParallelThreshold)
    for (int64_t j = 0; j < n; ++j) {
      w[j] *= decay;
      pm[j] = pm[j] * b1 + g[j] * (T(1) - b1);  // torch 1.13: exp_avg.mul_(β1).add_(g, alpha=1-β1)
      pv[j] = pv[j] * b2 + g[j] * g[j] * (T(1) - b2);
      w[j] -= size * pm[j] / (std::sqrt(pv[j]) / bias2 + eps);
    }
  });
}

void sum_of_squares(Tensor& out, const std::vector<Tensor>& xs) {
  double* po = out.data<double>();
  for (size_t p = 0; p < xs.size(); ++p) {
    const Tensor& x = xs[p];
    po[p] = dispatch_floating(x.dtype(), "sum_of_squares", [&](auto tag) {
      using T = decltype(tag);
      const T* px = x.data<T>();
      const int64_t n = x.numel();
      // One sequential pass in row-major order, as reduce_rows sums a whole tensor.
      double acc = 0;
      for (int64_t i = 0; i < n; ++i) {
        const T square = px[i] * px[i];
        acc += square;
      }
      return static_cast<double>(static_cast<T>(acc));
    });
  }
}

void clip_coefficient(Tensor& out, const Tensor& norm, double max_norm) {
  const double n = *norm.data<double>();
  *out.data<double>() = n > max_norm ? max_norm / (n + 1e-6) : 1.0;
}

}  // namespace pldr::cpu
