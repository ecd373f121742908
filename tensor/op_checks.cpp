#include "tensor/op_checks.h"

#include <stdexcept>
#include <string>

namespace pldr::op_checks {

void same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    throw std::invalid_argument(std::string(op) + ": dtypes differ (" + dtype_name(a.dtype()) + " and " +
                                dtype_name(b.dtype()) + ")");
  if (a.device() != b.device()) throw std::invalid_argument(std::string(op) + ": tensors on different devices");
}

void need_rank(const char* op, const Tensor& t, int min_rank) {
  if (t.dim() < min_rank)
    throw std::invalid_argument(std::string(op) + ": needs at least " + std::to_string(min_rank) +
                                " dimensions, got shape " + to_string(t.shape()));
}

void need_ids(const char* op, const Tensor& ids) {
  if (ids.dtype() != DType::Int32)
    throw std::invalid_argument(std::string(op) + ": ids must be int32, got " + dtype_name(ids.dtype()));
}

void same_device(const char* op, const char* what, const Tensor& t, const char* ref_what, const Tensor& ref) {
  if (t.device() != ref.device())
    throw std::invalid_argument(std::string(op) + ": " + what + " on " + device_name(t.device()) + ", " + ref_what +
                                " on " + device_name(ref.device()));
}

const Backend& kernels(Op op, Device device, DType dtype) {
  require_support(device, op, dtype);
  count_dispatch(op);
  return backend(device);
}

}  // namespace pldr::op_checks
