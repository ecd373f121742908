#include "optim/adamw.h"

#include <cmath>

#include "optim/gradient_runs.h"
#include "tensor/flat.h"
#include "tensor/ops.h"

namespace pldr::optim {

// Parameters, gradients and moments each in one flat buffer (tensor/flat.h): the parameters
// become views into theirs (same names, shapes and values), each gradient is written into its slot
// of the gradient buffer, and a step updates a run of parameters with one kernel.
AdamW::AdamW(std::vector<ag::Variable> parameters, AdamWOptions options)
    : params_(std::move(parameters)), options_(options) {
  std::vector<Tensor> values;
  for (const ag::Variable& p : params_) values.push_back(p.value());
  const std::vector<Tensor> flat = flat_buffer_like(values), grads = flat_buffer_like(values);
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor view = flat[i];
    view.copy_from(values[i]);
    params_[i].mutable_value() = view;
    params_[i].set_grad_slot(grads[i]);
  }
  m_ = flat_buffer_like(values);
  v_ = flat_buffer_like(values);
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
  std::vector<Tensor> values;
  for (const ag::Variable& p : params_) values.push_back(p.value());
  const std::vector<Tensor> grads = gradients(params_);
  for (const Run& run : gradient_runs(params_)) {
    Tensor p = run_view(run, values), m = run_view(run, m_), v = run_view(run, v_), g = run_view(run, grads);
    if (p.defined() && m.defined() && v.defined() && g.defined() && g.dtype() == p.dtype()) {
      ops::adamw_update(p, m, v, g, scalars);  // the whole run: one kernel
      continue;
    }
    for (size_t i = run.begin; i < run.end; ++i) {
      ag::Variable& param = params_[i];
      if (!param.mutable_value().is_contiguous()) param.mutable_value() = param.value().contiguous();
      ops::adamw_update(param.mutable_value(), m_[i], v_[i], param.grad(), scalars);
    }
  }
}

}  // namespace pldr::optim
