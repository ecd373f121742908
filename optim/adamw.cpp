#include "optim/adamw.h"

#include <cmath>

#include "tensor/cpu/strided_loop.h"

namespace pldr::optim {

AdamW::AdamW(std::vector<ag::Variable> parameters, AdamWOptions options)
    : params_(std::move(parameters)), options_(options) {
  for (const ag::Variable& p : params_) {
    m_.push_back(Tensor::empty(p.shape(), p.dtype()));
    v_.push_back(Tensor::empty(p.shape(), p.dtype()));
  }
}

void AdamW::zero_grad() {
  for (ag::Variable& p : params_) p.zero_grad();
}

void AdamW::step(double lr) {
  ++step_;
  const AdamWOptions& o = options_;
  const double bias1 = 1.0 - std::pow(o.beta1, double(step_));
  const double bias2_sqrt = std::sqrt(1.0 - std::pow(o.beta2, double(step_)));
  const double step_size = lr / bias1;
  for (size_t i = 0; i < params_.size(); ++i) {
    ag::Variable& p = params_[i];
    if (!p.grad().defined()) continue;
    if (!p.mutable_value().is_contiguous()) p.mutable_value() = p.value().contiguous();
    dispatch_floating(p.dtype(), "adamw", [&](auto tag) {
      using T = decltype(tag);
      T* w = p.mutable_value().data<T>();
      const Tensor g_dense = p.grad().to(p.dtype()).contiguous();
      const T* g = g_dense.data<T>();
      T* m = m_[i].data<T>();
      T* v = v_[i].data<T>();
      const int64_t n = p.value().numel();
      const T decay = T(1.0 - lr * o.weight_decay), b1 = T(o.beta1), b2 = T(o.beta2), eps = T(o.eps);
      const T bias2 = T(bias2_sqrt), size = T(step_size);
#pragma omp parallel for schedule(static) if (n >= cpu::kParallelThreshold)
      for (int64_t j = 0; j < n; ++j) {
        w[j] *= decay;
        m[j] = m[j] * b1 + g[j] * (T(1) - b1);  // torch 1.13: exp_avg.mul_(β1).add_(g, alpha=1-β1)
        v[j] = v[j] * b2 + g[j] * g[j] * (T(1) - b2);
        w[j] -= size * m[j] / (std::sqrt(v[j]) / bias2 + eps);
      }
    });
  }
}

}  // namespace pldr::optim
