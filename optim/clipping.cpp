#include "optim/clipping.h"

#include <cmath>

#include "optim/gradient_runs.h"
#include "tensor/ops.h"

namespace pldr::optim {

// Both clips work in place, one kernel per run of gradients (optim/gradient_runs.h).
void clip_grad_value(std::vector<ag::Variable>& parameters, double clip) {
  for_each_span(gradient_runs(parameters), gradients(parameters),
                [clip](Tensor& g) { ops::unary_into(UnaryOp::Clamp, g, -clip, clip); });
}

Tensor grad_norm_tensor(const std::vector<ag::Variable>& parameters) {
  std::vector<Tensor> grads;
  for (const ag::Variable& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  return ops::global_norm(grads);
}

double grad_norm(const std::vector<ag::Variable>& parameters) { return grad_norm_tensor(parameters).item(); }

Tensor clip_grad_norm_tensor(std::vector<ag::Variable>& parameters, double max_norm) {
  const Tensor norm = grad_norm_tensor(parameters);
  if (std::isfinite(max_norm)) {
    // Scaling by 1 when the norm is within bounds leaves every gradient bit for bit as it was.
    const Tensor coefficient = ops::clip_coefficient(norm, max_norm);
    for_each_span(gradient_runs(parameters), gradients(parameters),
                  [&coefficient](Tensor& g) { ops::binary_into(BinaryOp::Mul, g, coefficient.to(g.dtype())); });
  }
  return norm;
}

double clip_grad_norm(std::vector<ag::Variable>& parameters, double max_norm) {
  return clip_grad_norm_tensor(parameters, max_norm).item();
}

}  // namespace pldr::optim
