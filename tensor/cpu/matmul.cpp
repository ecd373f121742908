// Batched matrix products through Eigen's GEMM (or cblas when built with PLDR_BLAS).
//
// A matrix operand is used in place when either of its last two axes has stride 1: row-major
// (stride[-1] == 1) or column-major, i.e. a transposed view (stride[-2] == 1). Anything else is
// copied once. When b is shared by every batch item and a's batch rows are dense, the batch is
// folded into M so the whole product is one large GEMM.
//
// Threads (Eigen path): many small products run one per thread. A large product is split here
// into one block of output rows (or columns) per OpenMP thread, each a single-threaded Eigen
// GEMM; Eigen's own threading is never used. Its GEMM threads hand packed panels to each other
// through spin-waits, so when another process holds a core (a 2-core machine with a compiler
// running) a product stalls for whole scheduler time slices: 0.25-0.6x the speed of the split
// up to 512^3, 0.7-0.9x at 896^3-2048^3. Without load it is 0.55x of the split at 128^3 and
// slower than one thread at 48^3-96^3. Bench: bench/matmul_bench.cpp, numbers in bench/README.md.
#include <Eigen/Core>
#include <algorithm>
#include <optional>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#ifdef PLDR_USE_BLAS
#include <cblas.h>
#endif
#ifdef _OPENMP
#include <omp.h>
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
  if ((s_col == 1 || cols == 1) && (rows == 1 || s_row >= cols))
    return MatrixView{rows, cols, rows == 1 ? cols : s_row, false};
  if ((s_row == 1 || rows == 1) && (cols == 1 || s_col >= rows))
    return MatrixView{rows, cols, cols == 1 ? rows : s_col, true};
  return std::nullopt;
}

template <class T> using RowMap =
    Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;
template <class T> using ColMap =
    Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0, Eigen::OuterStride<>>;
template <class T> using OutMap =
    Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;

// out [m, n] (rows ldo apart) = alpha a [m, k] x b [k, n]. On the Eigen path the caller decides
// the threading (see product()). Eigen scales each accumulated sum once (it adds alpha * acc per
// depth block of kc products, kc sized to the cache; K = 64 fits one), so for such k the result is
// the unscaled product times alpha, rounded once: bit for bit a product followed by mul_scalar.
template <class T> void gemm(T* out, int64_t ldo, const T* a, MatrixView va, const T* b, MatrixView vb, T alpha) {
  const int64_t m = va.rows, k = va.cols, n = vb.cols;
#ifdef PLDR_USE_BLAS
  const auto ta = va.col_major ? CblasTrans : CblasNoTrans;
  const auto tb = vb.col_major ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, va.ld, b, vb.ld, 0.f, out, ldo);
  else cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, va.ld, b, vb.ld, 0.0, out, ldo);
#else
  OutMap<T> o(out, m, n, Eigen::OuterStride<>(ldo));
  auto run = [&](const auto& ma, const auto& mb) { o.noalias() = alpha * (ma * mb); };
  if (!va.col_major && !vb.col_major)
    run(RowMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), RowMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else if (!va.col_major)
    run(RowMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), ColMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else if (!vb.col_major)
    run(ColMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), RowMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
  else run(ColMap<T>(a, m, k, Eigen::OuterStride<>(va.ld)), ColMap<T>(b, k, n, Eigen::OuterStride<>(vb.ld)));
#endif
}

#if defined(_OPENMP) && !defined(PLDR_USE_BLAS)
// Below this many multiply-adds per thread a split costs more than it gains (measured: a 64^3
// product is the smallest that two threads do faster than one).
constexpr int64_t kMinWorkPerThread = int64_t(1) << 17;
// Split boundaries, chosen so that a split product equals the unsplit one bit for bit (any
// thread count gives the same numbers). Our row-major output is Eigen's column-major transpose:
// our rows are its columns, computed 4 at a time by the same kernel wherever the block starts,
// so row blocks only need whole SIMD vectors (16). Our columns are Eigen's rows, taken in panels
// of 3 SIMD vectors (48 floats with AVX-512, 24 with AVX2 or in double), and a leftover
// narrower than a panel goes through other kernels that sum in another order: column blocks
// start on multiples of 48, so every column sits in the same kind of panel as without a split.
constexpr int64_t kRowAlign = 16;
constexpr int64_t kColumnAlign = 48;

// Keeps Eigen's GEMM single-threaded: Eigen::nbThreads() is omp_get_max_threads(), the calling
// thread's own limit, so this changes nothing for other threads.
class SerialEigen {
 public:
  SerialEigen() { omp_set_num_threads(1); }
  ~SerialEigen() { omp_set_num_threads(saved_); }
  SerialEigen(const SerialEigen&) = delete;
  SerialEigen& operator=(const SerialEigen&) = delete;

 private:
  int saved_ = omp_get_max_threads();
};
#endif

// out [m, n] (dense) = alpha a x b: one product, split over the OpenMP threads when it is large
// enough.
template <class T> void product(T* out, const T* a, MatrixView va, const T* b, MatrixView vb, T alpha) {
  const int64_t n = vb.cols;
#if defined(_OPENMP) && !defined(PLDR_USE_BLAS)
  const int64_t m = va.rows, k = va.cols;
  const bool split_rows = m >= n;  // blocks of output rows (rows of a), else of columns (of b)
  const int64_t dim = split_rows ? m : n;
  const int64_t align = split_rows ? kRowAlign : kColumnAlign;
  int64_t threads = 1;
  if (omp_get_level() == 0)  // inside a parallel region the caller already uses the threads
    threads = std::min<int64_t>({omp_get_max_threads(), m * n * k / kMinWorkPerThread, dim / align});
  if (threads > 1) {
#pragma omp parallel num_threads(static_cast <int>(threads))
    {
      SerialEigen serial;
      const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
      const int64_t step = ((dim + nt - 1) / nt + align - 1) / align * align;
      const int64_t lo = std::min(dim, t * step), hi = std::min(dim, lo + step);
      if (hi > lo) {
        if (split_rows) {
          const T* a_lo = a + lo * (va.col_major ? 1 : va.ld);
          gemm<T>(out + lo * n, n, a_lo, MatrixView{hi - lo, k, va.ld, va.col_major}, b, vb, alpha);
        } else {
          const T* b_lo = b + lo * (vb.col_major ? vb.ld : 1);
          gemm<T>(out + lo, n, a, va, b_lo, MatrixView{k, hi - lo, vb.ld, vb.col_major}, alpha);
        }
      }
    }
    return;
  }
  SerialEigen serial;
#endif
  gemm<T>(out, n, a, va, b, vb, alpha);
}

}  // namespace

void matmul_float(Tensor& out, const Tensor& a_in, const Tensor& b_in, double alpha) {
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
    const T scale = static_cast<T>(alpha);
    bool b_shared = true;
    for (int i = 0; i < r - 2; ++i) b_shared = b_shared && (b.strides()[i] == 0 || b.shape()[i] == 1);
    if (batches > 1 && b_shared && a.is_contiguous()) {
      product<T>(po, pa, {batches * m, k, k, false}, pb, *describe(b), scale);
      return;
    }
    const MatrixView va = *describe(a), vb = *describe(b);
    auto item = [&](int64_t i, auto&& multiply) {
      int64_t oa = 0, ob = 0, rest = i;
      for (int axis = r - 3; axis >= 0; --axis) {
        const int64_t idx = rest % batch[axis];
        rest /= batch[axis];
        oa += idx * a.strides()[axis];
        ob += idx * b.strides()[axis];
      }
      multiply(po + i * m * n, pa + oa, pb + ob);
    };
    // Many small products: one thread per batch item, each GEMM single-threaded. Otherwise the
    // items one after another, each product split over the threads. (Not one `omp parallel for
    // ... if (...)`: when the condition is false that still opens a one-thread region, and a
    // GEMM team started inside it is nested; libgomp creates and joins fresh threads for nested
    // teams instead of reusing its pool, about 0.1 ms per product.)
    if (batches > 1 && m * n * k < (int64_t(1) << 21)) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < batches; ++i)
        item(i, [&](T* o, const T* x, const T* y) {
#if defined(_OPENMP) && !defined(PLDR_USE_BLAS)
          SerialEigen serial;  // also when the runtime gave this region a single thread
#endif
          gemm<T>(o, n, x, va, y, vb, scale);
        });
    } else {
      for (int64_t i = 0; i < batches; ++i)
        item(i, [&](T* o, const T* x, const T* y) { product<T>(o, x, va, y, vb, scale); });
    }
  });
}

}  // namespace pldr::cpu
