// The CPU backend's table: every kernel of tensor/cpu/kernels.h, float32 and float64 throughout.
// bfloat16: copy, fill and the elementwise kernels read and write it themselves; the others take
// it through via_float (float32 compute and accumulation, one rounding per output element). The
// matrix exponential family and AdamW have no bfloat16 form: the mixed-precision policy keeps
// them in float32, and a bfloat16 call fails naming op and dtype.
#include "tensor/backend.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/via_float.h"

namespace pldr {

namespace {
using cpu::via_float;
bool cpu_supports(Op op, DType dtype) {
  switch (op) {
    case Op::Copy:
    case Op::Fill:
      return true;  // every dtype, int32 included
    case Op::Expm:
    case Op::ExpmFrechet:
    case Op::LogTraceExpm:
    case Op::AdamW:
      return dtype == DType::Float32 || dtype == DType::Float64;
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
    .reduce_rows = via_float<&cpu::reduce_rows>::run,
    .reduce_columns = via_float<&cpu::reduce_columns>::run,
    .argmax_rows = via_float<&cpu::argmax_rows>::run,
    .matmul = cpu::matmul_any,
    .expm = cpu::expm,
    .expm_frechet = cpu::expm_frechet,
    .log_trace_expm = cpu::log_trace_expm,
    .softmax_rows = via_float<&cpu::softmax_rows>::run,
    .softmax_back_rows = via_float<&cpu::softmax_back_rows>::run,
    .layer_norm = via_float<&cpu::layer_norm>::run,
    .layer_norm_back = via_float<&cpu::layer_norm_back>::run,
    .embedding = via_float<&cpu::embedding>::run,
    .embedding_back = via_float<&cpu::embedding_back>::run,
    .cross_entropy_mean = via_float<&cpu::cross_entropy_mean>::run,
    .cross_entropy_mean_back = via_float<&cpu::cross_entropy_mean_back>::run,
    .count_correct = via_float<&cpu::count_correct>::run,
    .rotary = via_float<&cpu::rotary>::run,
    .attention_mask = via_float<&cpu::attention_mask>::run,
    .adamw_update = cpu::adamw_update,
    .sum_of_squares = via_float<&cpu::sum_of_squares>::run,
    .clip_coefficient = via_float<&cpu::clip_coefficient>::run,
};
}  // namespace

const Backend& cpu_backend() { return kCpuBackend; }

}  // namespace pldr
