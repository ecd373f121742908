// How matmul maps a batched product of views onto cuBLAS calls; plain C++, so the plan can be
// checked without a GPU.
//
// cuBLAS is column-major; our row-major out [M, N] = a [M, K] x b [K, N] is, read column-major,
// outᵀ [N, M] = bᵀ x aᵀ: so cuBLAS gets b first and a second. A row-major operand read
// column-major is already its transpose (op N); a transposed view (column-major, stride 1 down
// the rows) is the matrix itself and takes op T. Either way it is used in place.
//
// Batches: when b is the same matrix for every batch item and a is dense, the batch folds into M
// (one large GEMM, as the CPU kernel). Otherwise the innermost batch axes over which every
// operand advances by a constant stride (0 for a broadcast operand) form one strided-batched
// call, and the outer batch axes left over loop over such calls.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr::cuda {

// One operand's matrix layout: ld is the distance between rows (row-major) or columns.
struct MatrixLayout {
  int64_t rows, cols, ld;
  bool col_major;
};

// The layout of t's last two axes when either has stride 1 (and the other a stride that keeps
// rows or columns apart), as the CPU kernel's rule; false when the matrix must be copied first.
bool matrix_layout(const Tensor& t, MatrixLayout* layout);

// One cublas<T>gemmStridedBatched call in cuBLAS's column-major terms: C = op(first) op(second),
// C m x n; offsets and strides in elements from the data pointers of b (first), a (second), out.
struct GemmCall {
  bool transpose_first, transpose_second;
  int64_t m, n, k;
  int64_t offset_first, ld_first, stride_first;
  int64_t offset_second, ld_second, stride_second;
  int64_t offset_out, ld_out, stride_out;
  int64_t count;
};

// The calls computing out [batch..., M, N] (dense) = a [batch..., M, K] x b [batch..., K, N]
// (expanded to out's batch axes, both with a matrix_layout). None when out is empty or K = 0.
std::vector<GemmCall> plan_matmul(const Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace pldr::cuda
