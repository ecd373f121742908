#include "tensor/dtype.h"

namespace pldr {

DType dtype_from_name(const std::string& name) {
  if (name == "float32") return DType::Float32;
  if (name == "float64") return DType::Float64;
  if (name == "int32") return DType::Int32;
  if (name == "bfloat16" || name == "bf16") return DType::BFloat16;
  throw std::invalid_argument("unknown dtype '" + name + "' (expected float32, float64, int32 or bfloat16)");
}

}  // namespace pldr
