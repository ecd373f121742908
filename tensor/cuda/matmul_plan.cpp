#include "tensor/cuda/matmul_plan.h"

#include <algorithm>
#include <stdexcept>

namespace pldr::cuda {

bool matrix_layout(const Tensor& t, MatrixLayout* layout) {
  const int r = t.dim();
  const int64_t rows = t.shape()[r - 2], cols = t.shape()[r - 1];
  const int64_t s_row = t.strides()[r - 2], s_col = t.strides()[r - 1];
  if ((s_col == 1 || cols == 1) && (rows == 1 || s_row >= cols)) {
    *layout = MatrixLayout{rows, cols, rows == 1 ? cols : s_row, false};
    return true;
  }
  if ((s_row == 1 || rows == 1) && (cols == 1 || s_col >= rows)) {
    *layout = MatrixLayout{rows, cols, cols == 1 ? rows : s_col, true};
    return true;
  }
  return false;
}

namespace {

// count products out_i = a_i x b_i, a_i at a_offset + i * stride_a, and so on.
GemmCall call(const MatrixLayout& la, int64_t a_offset, int64_t stride_a, const MatrixLayout& lb, int64_t b_offset,
              int64_t stride_b, int64_t out_offset, int64_t count) {
  const int64_t m = la.rows, k = la.cols, n = lb.cols;
  // cuBLAS: C (n x m, column-major, ld n) = op(b) (n x k) op(a) (k x m).
  return GemmCall{lb.col_major, la.col_major, n,        m,          k, b_offset, lb.ld, stride_b,
                  a_offset,     la.ld,        stride_a, out_offset, n, m * n,    count};
}

}  // namespace

std::vector<GemmCall> plan_matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  MatrixLayout la, lb;
  if (!matrix_layout(a, &la) || !matrix_layout(b, &lb))
    throw std::logic_error("plan_matmul: an operand needs a copy first");
  const int r = out.dim(), nb = r - 2;  // nb batch axes
  const int64_t m = la.rows, k = la.cols, n = lb.cols;
  if (out.numel() == 0 || k == 0) return {};
  const int64_t batches = out.numel() / (m * n);
  bool b_shared = true;
  for (int i = 0; i < nb; ++i) b_shared = b_shared && (b.strides()[i] == 0 || b.shape()[i] == 1);
  if (batches > 1 && b_shared && a.is_contiguous())
    return {call(MatrixLayout{batches * m, k, k, false}, 0, 0, lb, 0, 0, 0, 1)};

  // The innermost batch axes [split, nb) that advance every operand by a constant stride.
  int split = nb;
  int64_t run = 1, stride_a = 0, stride_b = 0;
  for (int axis = nb - 1; axis >= 0; --axis) {
    const int64_t size = out.shape()[axis], sa = a.strides()[axis], sb = b.strides()[axis];
    if (size == 1) {
      split = axis;
    } else if (run == 1) {
      run = size, stride_a = sa, stride_b = sb, split = axis;
    } else if (sa == stride_a * run && sb == stride_b * run) {
      run *= size, split = axis;
    } else {
      break;
    }
  }
  std::vector<GemmCall> calls;
  for (int64_t outer = 0; outer < batches / run; ++outer) {
    int64_t offset_a = 0, offset_b = 0, rest = outer;
    for (int axis = split - 1; axis >= 0; --axis) {
      const int64_t coordinate = rest % out.shape()[axis];
      rest /= out.shape()[axis];
      offset_a += coordinate * a.strides()[axis];
      offset_b += coordinate * b.strides()[axis];
    }
    calls.push_back(call(la, offset_a, stride_a, lb, offset_b, stride_b, outer * run * m * n, run));
  }
  return calls;
}

}  // namespace pldr::cuda
