// The CUDA backend's table (tensor/backend.h): the kernels of tensor/cuda/kernels.h and the
// device memory of tensor/cuda/memory.h, float32 and float64 (copy and fill: int32 too).
#include <stdexcept>
#include <string>

#include "tensor/backend.h"
#include "tensor/cuda/kernels.h"

namespace pldr {

namespace {
bool cuda_supports(Op op, DType dtype) {
  switch (op) {
    case Op::Copy:
    case Op::Fill:
      return dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::Int32;
    default:
      return dtype == DType::Float32 || dtype == DType::Float64;  // the floating operand; ids are int32
  }
}

constexpr Backend kCudaBackend{
    .name = "cuda",
    .device = Device::CUDA,
    .supports = cuda_supports,
    .allocate = cuda::allocate,
    .release = cuda::release,
    .memset_zero = cuda::memset_zero,
    .copy_to_host = cuda::copy_to_host,
    .copy_from_host = cuda::copy_from_host,
    .copy = cuda::copy,
    .fill = cuda::fill,
    .binary = cuda::binary,
    .unary = cuda::unary,
    .reduce_rows = cuda::reduce_rows,
    .reduce_columns = cuda::reduce_columns,
    .argmax_rows = cuda::argmax_rows,
    .matmul = cuda::matmul,
    .expm = cuda::expm,
    .expm_frechet = cuda::expm_frechet,
    .log_trace_expm = cuda::log_trace_expm,
    .softmax_rows = cuda::softmax_rows,
    .softmax_back_rows = cuda::softmax_back_rows,
    .layer_norm = cuda::layer_norm,
    .layer_norm_back = cuda::layer_norm_back,
    .embedding = cuda::embedding,
    .embedding_back = cuda::embedding_back,
    .cross_entropy_mean = cuda::cross_entropy_mean,
    .cross_entropy_mean_back = cuda::cross_entropy_mean_back,
    .count_correct = cuda::count_correct,
    .rotary = cuda::rotary,
    .attention_mask = cuda::attention_mask,
    .adamw_update = cuda::adamw_update,
    .sum_of_squares = cuda::sum_of_squares,
    .clip_coefficient = cuda::clip_coefficient,
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
