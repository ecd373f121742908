// Strided indexing for the CUDA kernels: the shape and per-operand strides of K views of one
// shape, with dense adjacent axes merged (cpu::collapse_axes), in a plain struct passed to
// kernels by value. strided.cuh turns a linear element index into storage offsets.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "tensor/shape.h"

namespace pldr::cuda {

// Views with more axes left after merging than this are rejected with a clear error.
constexpr int kMaxStridedDims = 8;

template <size_t K> struct StridedIndex {
  int rank;
  int64_t numel;
  int64_t sizes[kMaxStridedDims];
  int64_t strides[K][kMaxStridedDims];
};

// The index of K operands of `shape` with the given strides (in elements; offsets are already in
// the operands' data pointers). Throws std::invalid_argument naming `op` when too many axes remain.
template <size_t K>
StridedIndex<K> make_strided_index(const char* op, const Shape& shape, const std::array<const Strides*, K>& strides);

}  // namespace pldr::cuda
