#include "tensor/dtype.h"

namespace pldr {

DType dtype_from_name(const std::string& name) {
  if (name == "float32") return DType::Float32;
  if (name == "float64") return DType::Float64;
  if (name == "int32") return DType::Int32;
  throw std::invalid_argument("unknown dtype '" + name + "' (expected float32, float64 or int32)");
}

}  // namespace pldr
