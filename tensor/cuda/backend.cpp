// The CUDA backend's table (tensor/backend.h), generated from tensor/op_list.h: the kernels of
// tensor/cuda/kernels.h, the device memory of tensor/cuda/memory.h, and supports() from the list's
// CUDA dtype column (float32 and float64; copy and fill: int32 too).
#include <stdexcept>
#include <string>

#include "tensor/backend.h"
#include "tensor/cuda/kernels.h"

namespace pldr {

namespace {

constexpr Backend kCudaBackend{.name = "cuda",
                               .device = Device::CUDA,
                               .supports = [](Op op, DType dtype) { return listed_support(Device::CUDA, op, dtype); },
                               .allocate = cuda::allocate,
                               .release = cuda::release,
                               .memset_zero = cuda::memset_zero,
                               .copy_to_host = cuda::copy_to_host,
                               .copy_from_host = cuda::copy_from_host,
#define PLDR_CUDA_ENTRY(kernel, parameters) .kernel = cuda::kernel,
                               PLDR_KERNELS(PLDR_CUDA_ENTRY)
#undef PLDR_CUDA_ENTRY
};
}  // namespace

// The table once a device is usable; otherwise "no CUDA device: <why>" (cuda::device_available's
// reason: no driver, no device, or no code for its architecture), every time it is asked.
const Backend& cuda_backend() {
  if (cuda::device_available(nullptr)) return kCudaBackend;  // every op asks: no string copied then
  std::string why;
  cuda::device_available(&why);
  throw std::runtime_error("no CUDA device: " + why);
}

}  // namespace pldr
