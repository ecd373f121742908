// Batched matrix products through Eigen's GEMM (or cblas when built with PLDR_BLAS).
//
// A matrix operand is used in place when either of its last two axes has stride 1: row-major
// (stride[-1] == 1) or column-major, i.e. a transposed view (stride[-2] == 1). Anything else is
// copied once. When b is shared by every batch item and a's batch rows are dense, the batch is
// folded into M so the whole product is one large GEMM.
#include <Eigen/Core>
#include <optional>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#ifdef PLDR_USE_BLAS
#include <cblas.h>
#endif

namespace pldr::cpu {

namespace {

// One operand matrix: where it starts and how its rows and columns are laid out.
struct MatrixView {
  int64_t rows, cols, ld;
  bool col_major;
};

// Row-major when the columns are adjacent, column-major (a transposed view) when the rows are;
// nullopt when neither holds (the caller copies). ld is the distance between rows (columns).
std::optional<MatrixView> describe(const Tensor& t) {
  const int r = t.dim();
  const int64_t rows = t.shape()[r - 2], cols = t.shape()[r - 1];
  const int64_t s_row = t.strides()[r - 2], s_col = t.strides()[r - 1];
  if ((s_col == 1 || cols == 1) && (rows == 1 || s_row >= cols)) return MatrixView{rows, cols, rows == 1 ? cols : s_row, false};
  if ((s_row == 1 || rows == 1) && (cols == 1 || s_col >= rows)) return MatrixView{rows, cols, cols == 1 ? rows : s_col, true};
  return std::nullopt;
}

template <class T>
using RowMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;
template <class T>
using ColMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0, Eigen::OuterStride<>>;
template <class T>
using OutMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

template <class T>
void gemm(T* out, const T* a, MatrixView va, const T* b, MatrixView vb) {
  const int64_t m = va.rows, k = va.cols, n = vb.cols;
#ifdef PLDR_USE_BLAS
  const auto ta = va.col_major ? CblasTrans : CblasNoTrans;
  const auto tb = vb.col_major ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.f, a, va.ld, b, vb.ld, 0.f, out, n);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, va.ld, b, vb.ld, 0.0, out, n);
#else
  OutMap<T> o(out, m, n);
  auto run = [&](const auto& ma, const auto& mb) { o.noalias() = ma * mb; };
  if (!va.col_major && !vb.col_major) run(RowMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), RowMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else if (!va.col_major) run(RowMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), ColMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else if (!vb.col_major) run(ColMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), RowMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else run(ColMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), ColMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
#endif
}

}  // namespace

void matmul(Tensor& out, const Tensor& a_in, const Tensor& b_in) {
  const Tensor a = describe(a_in) ? a_in : a_in.contiguous();
  const Tensor b = describe(b_in) ? b_in : b_in.contiguous();
  const int r = out.dim();
  const int64_t m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
  const Shape batch(out.shape().begin(), out.shape().end() - 2);
  const int64_t batches = numel(batch);
  if (batches == 0 || m == 0 || n == 0) return;
  if (k == 0) return;  // out is already zero

  dispatch_floating(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    bool b_shared = true;
    for (int i = 0; i < r - 2; ++i) b_shared = b_shared && (b.strides()[i] == 0 || b.shape()[i] == 1);
    if (batches > 1 && b_shared && a.is_contiguous()) {
      gemm<T>(po, pa, {batches * m, k, k, false}, pb, *describe(b));
      return;
    }
    const MatrixView va = *describe(a), vb = *describe(b);
    const bool parallel_batches = batches > 1 && m * n * k < (int64_t(1) << 21);
#pragma omp parallel for schedule(static) if (parallel_batches)
    for (int64_t i = 0; i < batches; ++i) {
      int64_t oa = 0, ob = 0, rest = i;
      for (int axis = r - 3; axis >= 0; --axis) {
        const int64_t idx = rest % batch[axis];
        rest /= batch[axis];
        oa += idx * a.strides()[axis];
        ob += idx * b.strides()[axis];
      }
      gemm<T>(po + i * m * n, pa + oa, va, pb + ob, vb);
    }
  });
}

}  // namespace pldr::cpu
