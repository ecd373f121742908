// Loops over every element of K strided views of one shape, calling f with storage offsets.
//
// Adjacent axes that are dense in every operand are merged first, so a dense tensor is a single
// row. Rows are then shared between OpenMP threads; each row is a plain stride loop.
#pragma once
#include <array>
#include <cstdint>
#include <utility>

#include "tensor/shape.h"

namespace pldr::cpu {

// Below this many elements a loop runs on one thread: a parallel region costs microseconds.
constexpr int64_t kParallelThreshold = 1 << 15;

template <size_t K> struct StridedOperands {
  Shape shape;
  std::array<int64_t, K> base{};
  std::array<Strides, K> strides;
};

// Merges axis i into axis i+1 wherever every operand is dense across the pair; drops size-1 axes.
template <size_t K> StridedOperands<K> collapse_axes(StridedOperands<K> in) {
  StridedOperands<K> out;
  out.base = in.base;
  for (size_t i = 0; i < in.shape.size(); ++i) {
    if (in.shape[i] == 1) continue;
    bool merge = !out.shape.empty();
    for (size_t k = 0; k < K && merge; ++k) merge = out.strides[k].back() == in.strides[k][i] * in.shape[i];
    if (merge) {
      out.shape.back() *= in.shape[i];
      for (size_t k = 0; k < K; ++k) out.strides[k].back() = in.strides[k][i];
    } else {
      out.shape.push_back(in.shape[i]);
      for (size_t k = 0; k < K; ++k) out.strides[k].push_back(in.strides[k][i]);
    }
  }
  if (out.shape.empty()) {
    out.shape.push_back(1);
    for (size_t k = 0; k < K; ++k) out.strides[k].push_back(0);
  }
  return out;
}

// f(offsets) for every element; offsets is a std::array<int64_t, K>.
template <size_t K, class F> void for_each_element(const StridedOperands<K>& operands, F&& f) {
  const StridedOperands<K> ops = collapse_axes(operands);
  const int rank = static_cast<int>(ops.shape.size());
  const int64_t inner = ops.shape[rank - 1];
  const int64_t rows = numel(ops.shape) / (inner == 0 ? 1 : inner);
  if (inner == 0 || rows == 0) return;
  if (rows == 1) {  // one long row (a dense tensor): split the row itself between threads
#pragma omp parallel for schedule(static) if (inner >= kParallelThreshold)
    for (int64_t i = 0; i < inner; ++i) {
      std::array<int64_t, K> o;
      for (size_t k = 0; k < K; ++k) o[k] = ops.base[k] + i * ops.strides[k][0];
      f(o);
    }
    return;
  }
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    std::array<int64_t, K> o = ops.base;
    int64_t rest = r;
    for (int axis = rank - 2; axis >= 0; --axis) {
      int64_t idx = rest % ops.shape[axis];
      rest /= ops.shape[axis];
      for (size_t k = 0; k < K; ++k) o[k] += idx * ops.strides[k][axis];
    }
    for (int64_t i = 0; i < inner; ++i) {
      f(o);
      for (size_t k = 0; k < K; ++k) o[k] += ops.strides[k][rank - 1];
    }
  }
}

}  // namespace pldr::cpu
