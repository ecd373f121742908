// Creating tensors: constants, ranges, copies of host data and seeded random values, on any device.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32, Device device = Device::CPU);
// [begin, end), step 1
Tensor arange(int64_t begin, int64_t end, DType dtype = DType::Int32, Device device = Device::CPU);
Tensor scalar(double value, DType dtype = DType::Float32, Device device = Device::CPU);  // shape []

// Copies `values` (row-major) into a new tensor of `shape` on `device`, converting to `dtype`.
template <class T> Tensor from_vector(const std::vector<T>& values, const Shape& shape, DType dtype = dtype_of<T>(),
                                      Device device = Device::CPU);

}  // namespace pldr
