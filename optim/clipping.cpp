#include "optim/clipping.h"

#include <cmath>

#include "tensor/ops.h"

namespace pldr::optim {

void clip_grad_value(std::vector<ag::Variable>& parameters, double clip) {
  for (ag::Variable& p : parameters)
    if (p.grad().defined()) p.set_grad(clamp(p.grad(), -clip, clip));
}

double grad_norm(const std::vector<ag::Variable>& parameters) {
  double total = 0;
  for (const ag::Variable& p : parameters)
    if (p.grad().defined()) {
      const Tensor g = p.grad();
      total += sum(mul(g, g)).item();
    }
  return std::sqrt(total);
}

double clip_grad_norm(std::vector<ag::Variable>& parameters, double max_norm) {
  const double norm = grad_norm(parameters);
  if (std::isfinite(max_norm) && norm > max_norm) {
    const double scale = max_norm / (norm + 1e-6);  // PyTorch's clip_grad_norm_ adds 1e-6
    for (ag::Variable& p : parameters)
      if (p.grad().defined()) p.set_grad(mul_scalar(p.grad(), scale));
  }
  return norm;
}

}  // namespace pldr::optim
