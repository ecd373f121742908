// The two fusions behind attention's scores (pldr/attention.cpp step 7): matmul with a scale
// factor and softmax with an additive mask give bit for bit the numbers of the separate passes
// they replace (product then mul_scalar; add then softmax), so the golden checks see no change.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::ops {
namespace {

using testing::contains;
using testing::error_message;

class Fused : public ::testing::TestWithParam<DType> {
 protected:
  Tensor uniform(const Shape& shape, uint64_t seed, double low = -1, double high = 1) const {
    return Generator(seed).uniform(shape, low, high, GetParam());
  }
};

// Exact equality, element by element (float32 widens to double exactly).
void expect_identical(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  int64_t differ = 0;
  for (size_t i = 0; i < g.size(); ++i) differ += !(g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i])));
  EXPECT_EQ(differ, 0) << "of " << g.size() << " elements";
}

// q kᵀ / sqrt(dk) on the attention shape [B, H, S, dk] with k read through a transposed view, dk
// = 64 (the 110M model's head_dim: a scale of 1/8, exact) and 8 and 48 (scales that round, so
// scaling an operand instead of the sum would show); S covers the per-item GEMMs, the row-split
// GEMM and the small products Eigen evaluates coefficient by coefficient.
TEST_P(Fused, ScaledMatmulIsTheProductThenMulScalar) {
  for (int64_t dk : {8, 48, 64})
    for (int64_t s : {3, 40, 128, 300}) {
      const double scale = 1.0 / static_cast<float>(std::sqrt(static_cast<float>(dk)));
      SCOPED_TRACE("dk " + std::to_string(dk) + ", S " + std::to_string(s));
      const Tensor q = uniform({2, 2, s, dk}, 1), k = uniform({2, 2, s, dk}, 2);
      const Tensor kt = k.transpose(-1, -2);
      expect_identical(matmul(q, kt, scale), mul_scalar(matmul(q, kt), scale));
      Tensor into = Tensor::empty({2, 2, s, s}, GetParam());
      matmul_into(into, q, kt, scale);
      expect_identical(into, mul_scalar(matmul(q, kt), scale));
    }
}

// Beyond one GEMM depth block the scale is applied per block: equal up to rounding.
TEST_P(Fused, ScaledMatmulWithALongInnerAxisIsClose) {
  const Tensor a = uniform({64, 2000}, 3), b = uniform({2000, 48}, 4);
  const std::vector<double> got = matmul(a, b, 0.3).to_vector<double>();
  const std::vector<double> want = mul_scalar(matmul(a, b), 0.3).to_vector<double>();
  const double tol = GetParam() == DType::Float32 ? 1e-4 : 1e-12;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << i;
}

// The attention mask [B, 1, Q, K] (0 or -1e9) against scores [B, H, Q, K], and other broadcasts:
// a mask of the last two axes only, one broadcast along its last axis (copied dense), a full one.
TEST_P(Fused, MaskedSoftmaxIsSoftmaxOfTheSum) {
  const Tensor x = uniform({2, 3, 4, 7}, 5, -4, 4);
  const Tensor ids = from_vector(std::vector<int32_t>{1, 2, 3, 2, 1, 3, 3, 1, 1, 1, 2, 2, 3, 1}, {2, 7});
  const Tensor attention = attention_mask(ids, 4, GetParam(), 2);
  ASSERT_EQ(attention.shape(), (Shape{2, 1, 4, 7}));
  for (const Tensor& mask : {attention, uniform({4, 7}, 6), uniform({2, 3, 4, 1}, 7), uniform({2, 3, 4, 7}, 8)}) {
    SCOPED_TRACE(to_string(mask.shape()));
    expect_identical(softmax(x, mask), softmax(add(x, mask)));
    expect_identical(softmax(x.transpose(-1, -2).contiguous().transpose(-1, -2), mask), softmax(add(x, mask)));
  }
  expect_identical(softmax(x, Tensor()), softmax(x));
  // A masked position gets exactly zero.
  const std::vector<double> e = softmax(x, attention).to_vector<double>(), m = attention.to_vector<double>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 3; ++h)
      for (int64_t i = 0; i < 28; ++i) {
        if (m[b * 28 + i] != 0) {
          EXPECT_EQ(e[(b * 3 + h) * 28 + i], 0.0);
        }
      }
}

TEST_P(Fused, MaskedSoftmaxRejectsAMaskThatDoesNotFit) {
  const Tensor x = uniform({2, 3, 5}, 9);
  EXPECT_TRUE(contains(error_message([&] { softmax(x, uniform({3, 4}, 10)); }), "broadcast"));
  EXPECT_TRUE(contains(error_message([&] { softmax(x, uniform({4, 2, 3, 5}, 11)); }), "softmax"));
  const DType other = GetParam() == DType::Float32 ? DType::Float64 : DType::Float32;
  EXPECT_TRUE(contains(error_message([&] { softmax(x, zeros({5}, other)); }), "softmax"));
}

INSTANTIATE_TEST_SUITE_P(tensor_fused, Fused, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace pldr::ops
