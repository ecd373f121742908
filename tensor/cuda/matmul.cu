// Batched matrix products through cuBLAS, float32 (no TF32) and float64.
//
// cuBLAS is column-major; our row-major out [M, N] = a [M, K] x b [K, N] is, read column-major,
// outᵀ [N, M] = bᵀ x aᵀ: so cuBLAS gets b first and a second. A row-major operand read
// column-major is already its transpose (op N); a transposed view (column-major, stride 1 down
// the rows) is the matrix itself and takes op T. Either way it is used in place; an operand with
// neither axis of stride 1 is copied to dense memory first.
//
// Batches: when b is the same matrix for every batch item and a is dense, the batch folds into M
// (one large GEMM, as the CPU kernel). Otherwise the innermost batch axes over which every
// operand advances by a constant stride (0 for a broadcast operand) form one strided-batched
// call; any outer batch axes left loop over such calls.
#include <climits>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/memory.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

// One operand's matrix layout: ld is the distance between rows (row-major) or columns.
struct MatrixView {
  int64_t rows, cols, ld;
  bool col_major;
};

// Same rule as the CPU kernel; cuBLAS also needs ld at least the length of what it strides over,
// which these conditions imply.
std::optional<MatrixView> describe(const Tensor& t) {
  const int r = t.dim();
  const int64_t rows = t.shape()[r - 2], cols = t.shape()[r - 1];
  const int64_t s_row = t.strides()[r - 2], s_col = t.strides()[r - 1];
  if ((s_col == 1 || cols == 1) && (rows == 1 || s_row >= cols)) return MatrixView{rows, cols, rows == 1 ? cols : s_row, false};
  if ((s_row == 1 || rows == 1) && (cols == 1 || s_col >= rows)) return MatrixView{rows, cols, cols == 1 ? rows : s_col, true};
  return std::nullopt;
}

int blas_int(int64_t v, const char* what) {
  if (v > INT_MAX) throw std::invalid_argument(std::string("matmul: ") + what + " " + std::to_string(v) + " exceeds cuBLAS's int range");
  return static_cast<int>(v);
}

cublasOperation_t op_of(const MatrixView& v) { return v.col_major ? CUBLAS_OP_T : CUBLAS_OP_N; }

// out (dense, item i at i * m * n) = a x b for `count` items, a advancing by stride_a and b by
// stride_b elements per item.
template <class T>
void products(T* out, const T* a, const MatrixView& va, int64_t stride_a, const T* b, const MatrixView& vb,
              int64_t stride_b, int64_t count) {
  constexpr bool is_float = std::is_same_v<T, float>;
  constexpr cudaDataType_t type = is_float ? CUDA_R_32F : CUDA_R_64F;
  // CUBLAS_COMPUTE_32F is plain float32 arithmetic (TF32 would be CUBLAS_COMPUTE_32F_FAST_TF32).
  constexpr cublasComputeType_t compute = is_float ? CUBLAS_COMPUTE_32F : CUBLAS_COMPUTE_64F;
  const T one = 1, zero = 0;
  const int64_t m = va.rows, k = va.cols, n = vb.cols;
  PLDR_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      blas(), op_of(vb), op_of(va), blas_int(n, "N"), blas_int(m, "M"), blas_int(k, "K"), &one, b, type,
      blas_int(vb.ld, "ld"), stride_b, a, type, blas_int(va.ld, "ld"), stride_a, &zero, out, type, blas_int(n, "N"),
      m * n, blas_int(count, "batch"), compute, CUBLAS_GEMM_DEFAULT));
}

}  // namespace

void matmul(Tensor& out, const Tensor& a_in, const Tensor& b_in) {
  const Tensor a = describe(a_in) ? a_in : dense_input(a_in);
  const Tensor b = describe(b_in) ? b_in : dense_input(b_in);
  const int r = out.dim();
  const int nb = r - 2;  // batch axes
  const int64_t m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
  const int64_t batches = out.numel() / std::max<int64_t>(m * n, 1);
  if (out.numel() == 0) return;
  dispatch_floating(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    T* po = out.data<T>();
    if (k == 0) {  // an empty sum: zeros
      memset_zero(po, sizeof(T) * size_t(out.numel()));
      return;
    }
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    const MatrixView va = *describe(a), vb = *describe(b);
    bool b_shared = true;
    for (int i = 0; i < nb; ++i) b_shared = b_shared && (b.strides()[i] == 0 || b.shape()[i] == 1);
    if (batches > 1 && b_shared && a.is_contiguous()) {
      products<T>(po, pa, MatrixView{batches * m, k, k, false}, 0, pb, vb, 0, 1);
      return;
    }
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
    const int64_t outer = batches / run;
    for (int64_t o = 0; o < outer; ++o) {
      int64_t offset_a = 0, offset_b = 0, rest = o;
      for (int axis = split - 1; axis >= 0; --axis) {
        const int64_t coordinate = rest % out.shape()[axis];
        rest /= out.shape()[axis];
        offset_a += coordinate * a.strides()[axis];
        offset_b += coordinate * b.strides()[axis];
      }
      products<T>(po + o * run * m * n, pa + offset_a, va, stride_a, pb + offset_b, vb, stride_b, run);
    }
  });
}

}  // namespace pldr::cuda
