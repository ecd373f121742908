// Weight-only int8 (tensor/int8_matrix.h): the per-row round trip error, the product against the
// float64 product within the quantisation bound on both paths (direct and dequantised blocks),
// the embedding lookup, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tensor/creation.h"
#include "tensor/int8_matrix.h"
#include "tensor/random.h"

namespace pldr {
namespace {

// [rows, cols] with rows of very different magnitudes (row r scaled by 10^(r mod 5 - 2)) and,
// when asked, one all-zero row.
Tensor weights(int64_t rows, int64_t cols, uint64_t seed, bool zero_row) {
  Generator gen(seed);
  std::vector<float> w = gen.normal({rows, cols}, 0.0, 1.0, DType::Float32).to_vector<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) w[r * cols + c] *= std::pow(10.0f, float(r % 5) - 2.0f);
  if (zero_row) std::fill_n(w.begin() + 2 * cols, cols, 0.0f);
  return from_vector(w, {rows, cols});
}

TEST(Int8Matrix, RoundTripIsWithinHalfAStepPerRow) {
  const int64_t rows = 23, cols = 77;
  const Tensor w = weights(rows, cols, 3, true);
  const Int8Matrix q = Int8Matrix::quantize(w);
  const std::vector<float> original = w.to_vector<float>(), back = q.dequantize().to_vector<float>();
  const std::vector<float> scale = q.scales().to_vector<float>();
  for (int64_t r = 0; r < rows; ++r) {
    float max = 0;
    for (int64_t c = 0; c < cols; ++c) max = std::max(max, std::fabs(original[r * cols + c]));
    EXPECT_FLOAT_EQ(scale[r], max / 127.0f) << "row " << r;
    bool reaches_127 = false;
    for (int64_t c = 0; c < cols; ++c) {
      const int8_t v = q.data()[r * cols + c];
      EXPECT_GE(v, -127);
      reaches_127 = reaches_127 || std::abs(v) == 127;
      // |w - scale·q| <= scale / 2, up to float rounding of the product.
      EXPECT_LE(std::fabs(original[r * cols + c] - back[r * cols + c]), scale[r] * 0.5f * (1 + 1e-5f) + 1e-30f)
          << "row " << r << " col " << c;
    }
    EXPECT_EQ(reaches_127, max > 0) << "row " << r;  // the largest magnitude takes the whole range
  }
  EXPECT_EQ(scale[2], 0.0f);  // the zero row
}

class Int8Product : public ::testing::TestWithParam<int64_t> {};

// x Wᵀ + b against the float64 product of x with the original W: each output within
// Σ_k |x_k| · scale_n / 2 (the quantisation bound) plus float32 rounding, and within float32
// rounding of the product with the dequantised W. M rows of x: up to 16 read the int8 weights
// directly, more go through dequantised blocks of 256 rows (N = 300 spans two).
TEST_P(Int8Product, MatchesTheFloatProductWithinTheQuantisationBound) {
  const int64_t M = GetParam(), K = 70, N = 300;  // K: four 16-wide steps and a tail of 6
  const Tensor w = weights(N, K, 5, true);
  Generator gen(7);
  const Tensor x = gen.normal({M, K}, 0.0, 1.0, DType::Float32);
  const Tensor bias = gen.normal({N}, 0.0, 1.0, DType::Float32);
  const Int8Matrix q = Int8Matrix::quantize(w);
  const Tensor y = int8_linear(x.view({1, M, K}), q, bias);
  ASSERT_EQ(y.shape(), (Shape{1, M, N}));
  const std::vector<float> xv = x.to_vector<float>(), wv = w.to_vector<float>(), bv = bias.to_vector<float>();
  const std::vector<float> dq = q.dequantize().to_vector<float>(), yv = y.to_vector<float>();
  const std::vector<float> scale = q.scales().to_vector<float>();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double exact = bv[n], dequantised = bv[n], x_norm = 0, magnitude = std::fabs(bv[n]);
      for (int64_t k = 0; k < K; ++k) {
        exact += double(xv[m * K + k]) * wv[n * K + k];
        dequantised += double(xv[m * K + k]) * dq[n * K + k];
        x_norm += std::fabs(xv[m * K + k]);
        magnitude += std::fabs(double(xv[m * K + k]) * dq[n * K + k]);
      }
      const double rounding = 1e-5 * magnitude + 1e-6;
      EXPECT_LE(std::fabs(yv[m * N + n] - exact), x_norm * scale[n] / 2 + rounding) << m << "," << n;
      EXPECT_NEAR(yv[m * N + n], dequantised, rounding) << m << "," << n;
    }
}

INSTANTIATE_TEST_SUITE_P(Rows, Int8Product, ::testing::Values(1, 3, 4, 5, 16, 17, 40));

TEST(Int8Matrix, WithoutBiasAndGatheringRows) {
  const Tensor w = weights(9, 20, 11, false);
  const Int8Matrix q = Int8Matrix::quantize(w);
  const Tensor x = from_vector(std::vector<float>(20, 1.0f), {1, 20});
  const std::vector<float> y = int8_linear(x, q, Tensor()).to_vector<float>();
  const std::vector<float> dq = q.dequantize().to_vector<float>();
  for (int64_t n = 0; n < 9; ++n) {
    double sum = 0;
    for (int64_t k = 0; k < 20; ++k) sum += dq[n * 20 + k];
    EXPECT_NEAR(y[n], sum, 1e-4 * std::max(1.0, std::fabs(sum)));
  }
  // Rows looked up by id: the dequantised rows, in the ids' shape.
  const Tensor rows = q.gather_rows(from_vector(std::vector<int32_t>{8, 0, 8, 3}, {2, 2}, DType::Int32));
  ASSERT_EQ(rows.shape(), (Shape{2, 2, 20}));
  const std::vector<float> g = rows.to_vector<float>();
  const int64_t ids[] = {8, 0, 8, 3};
  for (int i = 0; i < 4; ++i)
    for (int64_t c = 0; c < 20; ++c) EXPECT_EQ(g[i * 20 + c], dq[ids[i] * 20 + c]);
}

TEST(Int8Matrix, ErrorsNameTheProblem) {
  const Int8Matrix q = Int8Matrix::quantize(weights(4, 8, 1, false));
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { int8_linear(zeros({2, 7}, DType::Float32), q, Tensor()); }).find("[2,7]"), std::string::npos);
  EXPECT_NE(message([&] {
              int8_linear(zeros({2, 8}, DType::Float64), q, Tensor());
            }).find("float32"),
            std::string::npos);
  EXPECT_NE(message([&] { q.gather_rows(from_vector(std::vector<int32_t>{4}, {1}, DType::Int32)); }).find("id 4"),
            std::string::npos);
  EXPECT_NE(message([&] {
              Int8Matrix(std::make_shared<Storage>(31, Device::CPU), zeros({4}, DType::Float32), 4, 8);
            }).find("32 bytes"),
            std::string::npos);
  EXPECT_NE(message([&] {
              Int8Matrix::quantize(zeros({2, 3, 4}, DType::Float32));
            }).find("[rows, cols]"),
            std::string::npos);
}

}  // namespace
}  // namespace pldr
