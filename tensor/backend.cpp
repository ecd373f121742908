#include "tensor/backend.h"

#include <stdexcept>

namespace pldr {

bool supports(Device device, const std::string& op, DType dtype) {
  if (device != Device::CPU) return false;  // no CUDA backend in this build
  if (op == "embedding" || op == "embedding_back" || op == "cross_entropy")
    return is_floating(dtype);  // the float operand; ids and targets are int32
  return is_floating(dtype);
}

void require_support(Device device, const char* op, DType dtype) {
  if (!supports(device, op, dtype))
    throw std::invalid_argument(std::string(op) + " is not supported on " + device_name(device) + " for " +
                                dtype_name(dtype));
}

}  // namespace pldr
