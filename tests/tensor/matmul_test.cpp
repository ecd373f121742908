// matmul against a naive triple loop (read through the operands' strides) for every layout the
// kernel treats differently: 2-D, batched, broadcast batch, transposed and sliced views, sizes
// with 1s, an empty inner size, and products large enough for the threaded paths.
#include <gtest/gtest.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::ops {
namespace {

using testing::contains;
using testing::error_message;
using testing::expect_close;
using testing::unravel;
using testing::values;

// a [Ba..., M, K] x b [Bb..., K, N] with NumPy batch broadcasting, accumulated in double over
// the operands' values in logical order (to_vector: a plain strided copy, not the matmul kernel).
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b, Shape* out_shape = nullptr) {
  const int ra = a.dim(), rb = b.dim();
  const int64_t m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
  const Shape batch =
      broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2), Shape(b.shape().begin(), b.shape().end() - 2));
  Shape shape = batch;
  shape.insert(shape.end(), {m, n});
  if (out_shape) *out_shape = shape;
  const std::vector<double> av = values(a), bv = values(b);
  // Flat start of batch item `idx` in an operand: aligned on the right, size-1 axes read index 0.
  auto start = [&](const Tensor& t, const std::vector<int64_t>& idx) {
    const int lead = static_cast<int>(batch.size()) - (t.dim() - 2);
    int64_t flat = 0;
    for (int d = 0; d < t.dim() - 2; ++d) flat = flat * t.shape()[d] + (t.shape()[d] == 1 ? 0 : idx[d + lead]);
    return flat * t.shape()[t.dim() - 2] * t.shape()[t.dim() - 1];
  };
  std::vector<double> out;
  const int64_t batches = numel(batch);
  for (int64_t bi = 0; bi < batches; ++bi) {
    const std::vector<int64_t> idx = unravel(bi, batch);
    const double* pa = av.data() + start(a, idx);
    const double* pb = bv.data() + start(b, idx);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p) acc += pa[i * k + p] * pb[p * n + j];
        out.push_back(acc);
      }
  }
  return out;
}

class Matmul : public ::testing::TestWithParam<DType> {
 protected:
  DType dt() const { return GetParam(); }
  Tensor rand(const Shape& s) { return gen_.uniform(s, -1, 1, GetParam()); }
  // Compares matmul(a, b) (shape and values) with the naive product.
  void check(const Tensor& a, const Tensor& b, const std::string& what) {
    Shape expected_shape;
    const std::vector<double> expected = naive_matmul(a, b, &expected_shape);
    const Tensor c = matmul(a, b);
    ASSERT_EQ(c.shape(), expected_shape) << what;
    ASSERT_EQ(c.dtype(), dt()) << what;
    const double k = double(a.shape().back());
    expect_close(values(c), expected, (GetParam() == DType::Float32 ? 2e-7 : 1e-15) * (k + 4), what);
  }

 private:
  Generator gen_{17};
};

TEST_P(Matmul, TwoDimensional) {
  check(rand({5, 7}), rand({7, 4}), "[5,7]x[7,4]");
  check(rand({1, 7}), rand({7, 1}), "row x column");
  check(rand({4, 1}), rand({1, 3}), "outer product (k = 1)");
  check(rand({1, 1}), rand({1, 1}), "1x1");
  check(rand({3, 6}), rand({6, 1}), "matrix x column");
  const Tensor a = from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2}, dt()),
               b = from_vector(std::vector<double>{5, 6, 7, 8}, {2, 2}, dt());
  EXPECT_EQ(values(matmul(a, b)), (std::vector<double>{19, 22, 43, 50}));  // by hand
}

TEST_P(Matmul, Batched) {
  check(rand({3, 4, 5}), rand({3, 5, 2}), "3-D");
  check(rand({2, 3, 4, 5}), rand({2, 3, 5, 6}), "4-D");
  check(rand({2, 1, 4, 5}), rand({3, 5, 6}), "[2,1,4,5] x [3,5,6]");
  check(rand({1, 4, 5}), rand({3, 5, 2}), "size-1 batch on the left");
  check(rand({3, 1, 5}), rand({3, 5, 1}), "batched 1x1 results");
}

TEST_P(Matmul, BroadcastBatch) {
  check(rand({2, 3, 4, 5}), rand({5, 6}), "[2,3,4,5] x [5,6]");
  check(rand({4, 5}), rand({2, 5, 6}), "[4,5] x [2,5,6]");
  check(rand({4, 5}), rand({2, 3, 5, 6}), "[4,5] x [2,3,5,6]");
  check(rand({3, 1, 5}), rand({5, 6}), "m = 1 rows folded");
}

TEST_P(Matmul, TransposedOperandsAsViews) {
  const Tensor at_ = rand({2, 5, 4}), bt = rand({2, 6, 5});
  const Tensor a = at_.transpose(-1, -2), b = bt.transpose(-1, -2);  // [2,4,5], [2,5,6], column-major
  ASSERT_FALSE(a.is_contiguous());
  check(a, rand({2, 5, 6}), "aᵀ x b");
  check(rand({2, 4, 5}), b, "a x bᵀ");
  check(a, b, "aᵀ x bᵀ");
  check(rand({7, 3}).transpose(0, 1), rand({7, 2}), "2-D aᵀ x b");
  check(rand({3, 4, 5}), rand({6, 5}).transpose(0, 1), "batch x shared weightᵀ");
  check(rand({5, 1}).transpose(0, 1), rand({5, 3}), "transposed column");
  check(rand({2, 3, 4}).permute({1, 2, 0}), rand({3, 2, 5}), "permuted batch axes");  // [3,4,2] x [3,2,5]
}

TEST_P(Matmul, NonContiguousSlices) {
  const Tensor wide = rand({5, 10});
  check(wide.slice(1, 2, 9), rand({7, 4}), "column slice");  // row stride 10, 7 columns
  check(rand({4, 7}), rand({9, 6}).slice(0, 1, 8), "row slice (dense)");
  check(rand({4, 7}), rand({7, 9}).slice(1, 3, 7), "column slice on the right");
  check(rand({3, 6, 8}).slice(1, 1, 5).slice(2, 2, 7), rand({3, 5, 2}), "batched 2-D window");
  check(rand({2, 5, 4}).transpose(-1, -2).slice(1, 1, 3), rand({2, 5, 3}), "slice of a transposed view");
  check(rand({4, 3, 5}).select(1, 2), rand({5, 2}), "select");
  // Neither matrix axis has stride 1: the kernel must copy.
  const Tensor no_unit_stride = rand({6, 8, 2}).select(2, 1);  // [6,8], strides (16, 2)
  ASSERT_EQ(no_unit_stride.strides(), (Strides{16, 2}));
  check(no_unit_stride, rand({8, 3}), "no unit stride on the left");
  check(rand({3, 6}), no_unit_stride, "no unit stride on the right");
  check(rand({2, 6, 8, 2}).select(3, 0), rand({8, 3}), "batched, no unit stride");
  check(rand({4, 6}).expand({3, 4, 6}), rand({3, 6, 2}), "expanded left operand");
  check(rand({4, 1}).expand({4, 5}), rand({5, 2}), "stride-0 columns");
  check(rand({1, 5}).expand({4, 5}), rand({5, 2}), "stride-0 rows");
}

// The KV cache's filled prefix: a window along the position axis of a [B, H, capacity, dk] buffer,
// as keys (transposed) and as values. Read in place: no copy, one allocation (the output).
TEST_P(Matmul, PositionWindowsOfACacheBufferAreReadInPlace) {
  const Tensor buffer = rand({2, 3, 9, 4});
  const Tensor filled = buffer.slice(2, 0, 5);  // batch strides 108 and 36, not dense
  const Tensor queries = rand({2, 3, 1, 4}), probabilities = rand({2, 3, 1, 5});
  reset_runtime_counts();
  const Tensor scores = matmul(queries, filled.transpose(-1, -2));
  const Tensor out = matmul(probabilities, filled);
  EXPECT_EQ(dispatch_count(Op::Copy), 0u);
  EXPECT_EQ(runtime_counts().allocations, 2u);
  check(queries, filled.transpose(-1, -2), "keys");
  check(probabilities, filled, "values");
}

TEST_P(Matmul, EmptyInnerSizeGivesZeros) {
  const Tensor c = matmul(zeros({3, 0}, dt()), zeros({0, 2}, dt()));
  EXPECT_EQ(c.shape(), (Shape{3, 2}));
  EXPECT_EQ(values(c), std::vector<double>(6, 0));
  EXPECT_EQ(matmul(zeros({0, 4}, dt()), zeros({4, 2}, dt())).shape(), (Shape{0, 2}));
}

TEST_P(Matmul, LargeProductsOnTheThreadedPaths) {
  check(rand({96, 80}), rand({80, 72}), "rows split");
  check(rand({40, 64}), rand({64, 200}), "columns split (m < n)");
  check(rand({120, 64}), rand({90, 64}).transpose(0, 1), "rows split, column-major b");
  check(rand({40, 64}), rand({200, 64}).transpose(0, 1), "columns split, column-major b");
  check(rand({64, 100}).transpose(0, 1), rand({64, 48}), "rows split, column-major a");
  check(rand({64, 40}).transpose(0, 1), rand({64, 200}), "columns split, column-major a");
  check(rand({4, 32, 48}), rand({40, 48}).transpose(0, 1), "batch folded into M, column-major weight");
  check(rand({4, 32, 48}), rand({48, 40}), "batch folded into M");
  check(rand({2, 130, 130}), rand({2, 130, 130}), "large batched items one after another");
}

// A 300x200x250 product with two threads forced, so the split path runs whatever OMP_NUM_THREADS says.
TEST_P(Matmul, LargeProductSplitOverTwoThreads) {
  const Tensor a = rand({300, 200}), b = rand({200, 250});
#ifdef _OPENMP
  const int before = omp_get_max_threads();
  omp_set_num_threads(2);
#endif
  check(a, b, "300x200 x 200x250");
  check(rand({200, 300}).transpose(0, 1), rand({250, 200}).transpose(0, 1), "300x200ᵀ x 200x250ᵀ");
  check(rand({3, 100, 200}), b, "[3,100,200] x [200,250], batch folded into M");
#ifdef _OPENMP
  omp_set_num_threads(before);
#endif
}

// The split products must not change a single bit: training gives the same numbers on any
// number of cores. Shapes split by rows, by columns (m < n, as the logits of a small batch),
// with transposed operands and with the batch folded into M, on 1 to 4 threads.
TEST_P(Matmul, ResultsDoNotDependOnTheThreadCount) {
#ifdef _OPENMP
  struct Case {
    Tensor a, b;
    const char* what;
  };
  const std::vector<Case> cases{
      {rand({300, 200}), rand({200, 250}), "rows split"},
      {rand({40, 64}), rand({64, 200}), "columns split"},
      {rand({40, 64}), rand({200, 64}).transpose(0, 1), "columns split, column-major b"},
      {rand({254, 192}), rand({1000, 192}).transpose(0, 1), "logits-shaped, columns split"},
      {rand({64, 40}).transpose(0, 1), rand({64, 200}), "columns split, column-major a"},
      {rand({4, 63, 96}), rand({96, 100}), "batch folded into M"},
  };
  const int before = omp_get_max_threads();
  for (const Case& c : cases) {
    omp_set_num_threads(1);
    const std::vector<double> one = values(matmul(c.a, c.b));
    for (int threads = 2; threads <= 4; ++threads) {
      omp_set_num_threads(threads);
      EXPECT_EQ(values(matmul(c.a, c.b)), one) << c.what << ", " << threads << " threads against 1";
    }
  }
  omp_set_num_threads(before);
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

TEST_P(Matmul, Errors) {
  const std::string msg = error_message([&] { matmul(rand({3, 4}), rand({5, 6})); });
  EXPECT_TRUE(contains(msg, "[3,4]") && contains(msg, "[5,6]")) << msg;
  EXPECT_THROW(matmul(rand({4}), rand({4, 2})), std::invalid_argument);
  EXPECT_THROW(matmul(rand({2, 3, 4}), rand({3, 4, 2})), std::invalid_argument);  // batch 2 vs 3
  EXPECT_THROW(matmul(zeros({2, 2}, DType::Float32), zeros({2, 2}, DType::Float64)), std::invalid_argument);
  EXPECT_THROW(matmul(arange(0, 4).view({2, 2}), arange(0, 4).view({2, 2})), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(tensor_matmul, Matmul, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace pldr::ops
