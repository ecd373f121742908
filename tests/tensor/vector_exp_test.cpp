// The vectorised float exp of tensor/cpu/vector_exp.h: within 2 ulp of libm's expf over the range
// softmax and cross-entropy use, the same bits in a vectorised loop as one call at a time, and
// the documented edges (underflow to 0, overflow to inf, NaN).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "tensor/cpu/vector_exp.h"

namespace pldr::cpu {
namespace {

int64_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  return std::abs(int64_t(ia) - int64_t(ib));  // both positive here
}

TEST(VectorExp, WithinTwoUlpOfLibmAcrossTheRange) {
  int64_t worst = 0;
  for (float x = -87.0f; x <= 88.0f; x += 0.0007f) worst = std::max(worst, ulp_distance(exp_poly(x), std::exp(x)));
  EXPECT_LE(worst, 2);
  EXPECT_EQ(exp_poly(0.0f), 1.0f);
}

__attribute__((noinline)) void exp_vectorised(const std::vector<float>& x, std::vector<float>& y) {
#pragma omp simd
  for (size_t i = 0; i < x.size(); ++i) y[i] = exp_poly(x[i]);
}

TEST(VectorExp, VectorisedLoopGivesTheBitsOfSingleCalls) {
  std::vector<float> x, y(1001);
  for (int i = 0; i < 1001; ++i) x.push_back(-80.0f + 0.0931f * i);  // an odd length: a scalar remainder too
  exp_vectorised(x, y);
  for (size_t i = 0; i < x.size(); ++i) {
    volatile float xi = x[i];  // one call, not vectorised
    EXPECT_EQ(y[i], exp_poly(xi)) << x[i];
  }
}

TEST(VectorExp, EdgesUnderflowOverflowAndNaN) {
  EXPECT_EQ(exp_poly(-1e9f), 0.0f);  // a masked score
  EXPECT_EQ(exp_poly(-88.0f), 0.0f);
  EXPECT_EQ(exp_poly(100.0f), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(exp_poly(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(exp_fast(1.0), std::exp(1.0));  // double stays libm
}

}  // namespace
}  // namespace pldr::cpu
