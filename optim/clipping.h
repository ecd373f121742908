// Gradient clipping: elementwise by value (the reference clips every element to [-c, c]) and by
// global L2 norm (scales all gradients by min(1, max_norm / norm)).
//
// The *_tensor forms keep the norm on the gradients' device (a float64 scalar tensor) and read
// nothing back to the host; the double forms read that one number.
#pragma once
#include <vector>

#include "autograd/variable.h"

namespace pldr::optim {

void clip_grad_value(std::vector<ag::Variable>& parameters, double clip);
// Returns the global norm before clipping (also useful as a metric with max_norm = infinity).
double clip_grad_norm(std::vector<ag::Variable>& parameters, double max_norm);
Tensor clip_grad_norm_tensor(std::vector<ag::Variable>& parameters, double max_norm);
// sqrt(Σ over parameters with a gradient of Σ g²), as PyTorch's clip_grad_norm_ reports it.
double grad_norm(const std::vector<ag::Variable>& parameters);
Tensor grad_norm_tensor(const std::vector<ag::Variable>& parameters);

}  // namespace pldr::optim
