// Gradient clipping: elementwise by value (the reference clips every element to [-c, c]) and by
// global L2 norm (scales all gradients by min(1, max_norm / norm)).
#pragma once
#include <vector>

#include "autograd/variable.h"

namespace pldr::optim {

void clip_grad_value(std::vector<ag::Variable>& parameters, double clip);
// Returns the global norm before clipping (also useful as a metric with max_norm = infinity).
double clip_grad_norm(std::vector<ag::Variable>& parameters, double max_norm);
double grad_norm(const std::vector<ag::Variable>& parameters);

}  // namespace pldr::optim
