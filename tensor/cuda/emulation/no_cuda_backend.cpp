// For matmul_plan_vs_cpu, which links libpldr_tensor.a without the CUDA kernels: its
// backend(Device::CUDA) then says so (the check uses only the CPU backend).
#include <stdexcept>

#include "tensor/backend.h"

namespace pldr {
const Backend& cuda_backend() { throw std::runtime_error("no CUDA device: matmul_plan_vs_cpu links no CUDA kernels"); }
}  // namespace pldr
