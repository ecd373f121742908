// What each backend can run, so callers and tests can skip an unsupported case with a reason
// instead of failing deep inside a kernel.
#pragma once
#include <string>

#include "tensor/device.h"
#include "tensor/dtype.h"

namespace pldr {

// True when `op` (the name used in tensor/ops.h, e.g. "matmul") runs on `device` for `dtype`.
bool supports(Device device, const std::string& op, DType dtype);

// Throws a clear error when the op cannot run; called once per op by tensor/ops.cpp.
void require_support(Device device, const char* op, DType dtype);

}  // namespace pldr
