#include "optim/adamw.h"

#include <cmath>

#include "tensor/ops.h"

namespace pldr::optim {

AdamW::AdamW(std::vector<ag::Variable> parameters, AdamWOptions options)
    : params_(std::move(parameters)), options_(options) {
  for (const ag::Variable& p : params_) {
    m_.push_back(Tensor::empty(p.shape(), p.dtype(), p.value().device()));
    v_.push_back(Tensor::empty(p.shape(), p.dtype(), p.value().device()));
  }
}

void AdamW::zero_grad() {
  for (ag::Variable& p : params_) p.zero_grad();
}

void AdamW::step(double lr) {
  ++step_;
  const AdamWOptions& o = options_;
  const AdamWStep scalars{.decay = 1.0 - lr * o.weight_decay,
                          .beta1 = o.beta1,
                          .beta2 = o.beta2,
                          .eps = o.eps,
                          .step_size = lr / (1.0 - std::pow(o.beta1, double(step_))),
                          .bias2_sqrt = std::sqrt(1.0 - std::pow(o.beta2, double(step_)))};
  for (size_t i = 0; i < params_.size(); ++i) {
    ag::Variable& p = params_[i];
    if (!p.grad().defined()) continue;
    if (!p.mutable_value().is_contiguous()) p.mutable_value() = p.value().contiguous();
    ops::adamw_update(p.mutable_value(), m_[i], v_[i], p.grad(), scalars);
  }
}

}  // namespace pldr::optim
