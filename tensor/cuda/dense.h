// Dense device copies of strided inputs, for the kernels that read rows directly.
#pragma once
#include "tensor/tensor.h"

namespace pldr::cuda {

// t itself when it is dense row-major, else a dense copy on the CUDA device (cuda::copy).
Tensor dense_input(const Tensor& t);

}  // namespace pldr::cuda
