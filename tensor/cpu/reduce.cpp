// Row reductions over a dense [rows, inner] layout (ops.cpp moves the reduced axes last).
#include <algorithm>
#include <limits>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

void reduce_rows(ReduceOp op, Tensor& out, const Tensor& x, int64_t inner) {
  dispatch_floating(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const int64_t rows = out.numel();
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelThreshold && rows > 1)
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = px + r * inner;
      if (op == ReduceOp::Sum) {
        double acc = 0;  // double accumulation keeps float32 sums of long rows accurate
        for (int64_t i = 0; i < inner; ++i) acc += row[i];
        po[r] = static_cast<T>(acc);
      } else {
        T best = -std::numeric_limits<T>::infinity();
        for (int64_t i = 0; i < inner; ++i) best = row[i] > best ? row[i] : best;
        po[r] = best;
      }
    }
  });
}

void reduce_columns(ReduceOp op, Tensor& out, const Tensor& x, int64_t rows) {
  dispatch_floating(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const int64_t cols = out.numel();
    const T* px = x.data<T>();
    T* po = out.data<T>();
    // Each thread owns a block of columns and walks the rows in order: the same sums every run.
    constexpr int64_t kBlock = 256;
    const int64_t blocks = (cols + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelThreshold && blocks > 1)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t begin = b * kBlock, end = std::min(cols, begin + kBlock);
      double acc[kBlock];
      for (int64_t j = begin; j < end; ++j)
        acc[j - begin] = op == ReduceOp::Sum ? 0.0 : -std::numeric_limits<double>::infinity();
      for (int64_t r = 0; r < rows; ++r) {
        const T* row = px + r * cols;
        if (op == ReduceOp::Sum)
          for (int64_t j = begin; j < end; ++j) acc[j - begin] += row[j];
        else
          for (int64_t j = begin; j < end; ++j)
            acc[j - begin] = row[j] > acc[j - begin] ? double(row[j]) : acc[j - begin];
      }
      for (int64_t j = begin; j < end; ++j) po[j] = static_cast<T>(acc[j - begin]);
    }
  });
}

void argmax_rows(Tensor& out, const Tensor& x, int64_t inner) {
  dispatch_floating(x.dtype(), "argmax", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    int32_t* po = out.data<int32_t>();
    const int64_t rows = out.numel();
    // The maximum by a vectorised pass, then the first position holding it (the first maximum
    // wins, as torch.argmax). NaNs never win, as with a running `>` comparison; a row whose
    // first element is NaN and that has no larger value gives 0, as that comparison would.
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelThreshold && rows > 1)
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = px + r * inner;
      if (row[0] != row[0]) {  // NaN first: nothing compares greater
        po[r] = 0;
        continue;
      }
      T best = row[0];
#pragma omp simd reduction(max : best)
      for (int64_t i = 1; i < inner; ++i) best = row[i] > best ? row[i] : best;
      int64_t at = 0;
      while (row[at] != best) ++at;  // best is one of the row's values
      po[r] = static_cast<int32_t>(at);
    }
  });
}

}  // namespace pldr::cpu
