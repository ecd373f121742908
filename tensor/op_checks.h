// Argument checks and the support-checked backend lookup shared by the op files
// (ops.cpp, ops_training.cpp). Private to tensor/: not part of the op API.
#pragma once
#include "tensor/backend.h"

namespace pldr::op_checks {

// Same dtype and device, or std::invalid_argument naming the op.
void same_dtype(const char* op, const Tensor& a, const Tensor& b);
void need_rank(const char* op, const Tensor& t, int min_rank);
void need_ids(const char* op, const Tensor& ids);  // int32
// `t` (called `what`) on the device of `ref` (called `ref_what`), or std::invalid_argument naming
// the op and both devices, e.g. "rotary: cos on cpu, x on cuda".
void same_device(const char* op, const char* what, const Tensor& t, const char* ref_what, const Tensor& ref);
// The backend of `device`, after checking that it runs `op` for `dtype`.
const Backend& kernels(Op op, Device device, DType dtype);
inline const Backend& kernels(Op op, const Tensor& t) { return kernels(op, t.device(), t.dtype()); }

}  // namespace pldr::op_checks
