#include "tensor/backend.h"

#include <stdexcept>
#include <string>

namespace pldr {

const char* op_name(Op op) {
  switch (op) {
    case Op::Copy: return "copy";
    case Op::Fill: return "fill";
    case Op::Binary: return "binary";
    case Op::Unary: return "unary";
    case Op::Reduce: return "reduce";
    case Op::Argmax: return "argmax";
    case Op::Matmul: return "matmul";
    case Op::Expm: return "expm";
    case Op::ExpmFrechet: return "expm_frechet";
    case Op::LogTraceExpm: return "log_trace_expm";
    case Op::Softmax: return "softmax";
    case Op::SoftmaxBack: return "softmax_back";
    case Op::LayerNorm: return "layer_norm";
    case Op::LayerNormBack: return "layer_norm_back";
    case Op::Embedding: return "embedding";
    case Op::EmbeddingBack: return "embedding_back";
    case Op::CrossEntropy: return "cross_entropy";
    case Op::CrossEntropyBack: return "cross_entropy_back";
    case Op::CountCorrect: return "count_correct";
    case Op::Rotary: return "rotary";
    case Op::AttentionMask: return "attention_mask";
    case Op::AdamW: return "adamw";
    case Op::SumOfSquares: return "sum_of_squares";
    case Op::ClipCoefficient: return "clip_coefficient";
  }
  return "?";
}

Device device_from_name(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "cuda") return Device::CUDA;
  throw std::invalid_argument("unknown device '" + name + "' (cpu or cuda)");
}

const Backend& backend(Device device) {
  switch (device) {
    case Device::CPU: return cpu_backend();
    case Device::CUDA:
#ifdef PLDR_CUDA
      return cuda_backend();
#else
      throw std::runtime_error("this build has no CUDA backend (configure with -DPLDR_CUDA=ON)");
#endif
  }
  throw std::logic_error("backend: unknown device");
}

bool backend_available(Device device) {
  try {
    backend(device);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool supports(Device device, Op op, DType dtype) { return backend_available(device) && backend(device).supports(op, dtype); }

void require_support(Device device, Op op, DType dtype) {
  const Backend& b = backend(device);  // throws when the device has no backend
  if (!b.supports(op, dtype))
    throw std::invalid_argument(std::string(op_name(op)) + " is not supported on " + device_name(device) + " for " +
                                dtype_name(dtype));
}

}  // namespace pldr
