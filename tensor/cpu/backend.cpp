// The CPU backend's table: every kernel of tensor/cpu/kernels.h, float32 and float64 throughout.
#include "tensor/backend.h"
#include "tensor/cpu/kernels.h"

namespace pldr {

namespace {
bool cpu_supports(Op op, DType dtype) {
  switch (op) {
    case Op::Copy:
    case Op::Fill:
      return true;  // every dtype, int32 included
    default:
      return is_floating(dtype);  // the floating operand; ids and targets are int32
  }
}

constexpr Backend kCpuBackend{
    .name = "cpu",
    .device = Device::CPU,
    .supports = cpu_supports,
    .allocate = cpu::allocate,
    .release = cpu::release,
    .memset_zero = cpu::memset_zero,
    .copy_to_host = cpu::copy_bytes,
    .copy_from_host = cpu::copy_bytes,
    .copy = cpu::copy,
    .fill = cpu::fill,
    .binary = cpu::binary,
    .unary = cpu::unary,
    .reduce_rows = cpu::reduce_rows,
    .reduce_columns = cpu::reduce_columns,
    .argmax_rows = cpu::argmax_rows,
    .matmul = cpu::matmul,
    .expm = cpu::expm,
    .expm_frechet = cpu::expm_frechet,
    .log_trace_expm = cpu::log_trace_expm,
    .softmax_rows = cpu::softmax_rows,
    .softmax_back_rows = cpu::softmax_back_rows,
    .layer_norm = cpu::layer_norm,
    .layer_norm_back = cpu::layer_norm_back,
    .embedding = cpu::embedding,
    .embedding_back = cpu::embedding_back,
    .cross_entropy_mean = cpu::cross_entropy_mean,
    .cross_entropy_mean_back = cpu::cross_entropy_mean_back,
    .count_correct = cpu::count_correct,
    .rotary = cpu::rotary,
    .attention_mask = cpu::attention_mask,
    .adamw_update = cpu::adamw_update,
    .sum_of_squares = cpu::sum_of_squares,
    .clip_coefficient = cpu::clip_coefficient,
};
}  // namespace

const Backend& cpu_backend() { return kCpuBackend; }

}  // namespace pldr
