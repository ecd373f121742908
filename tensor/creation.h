// Creating tensors: constants, ranges, copies of host data and seeded random values.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor arange(int64_t begin, int64_t end, DType dtype = DType::Int32);   // [begin, end), step 1
Tensor scalar(double value, DType dtype = DType::Float32);              // shape []

// Copies `values` (row-major) into a new tensor of `shape`, converting to `dtype`.
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, DType dtype = dtype_of<T>());

}  // namespace pldr
