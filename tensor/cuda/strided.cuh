// Device side of strided.h: storage offsets of one element in each of K operands.
#pragma once
#include "tensor/cuda/strided.h"

namespace pldr::cuda {

// offsets[k] = sum over axes of (coordinate of element i on that axis) * strides[k][axis].
template <size_t K>
__device__ __forceinline__ void element_offsets(const StridedIndex<K>& index, int64_t i, int64_t (&offsets)[K]) {
  for (size_t k = 0; k < K; ++k) offsets[k] = 0;
  for (int axis = index.rank - 1; axis >= 0; --axis) {
    const int64_t size = index.sizes[axis];
    const int64_t coordinate = i % size;
    i /= size;
    for (size_t k = 0; k < K; ++k) offsets[k] += coordinate * index.strides[k][axis];
  }
}

}  // namespace pldr::cuda
