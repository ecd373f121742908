// The bf16-mixed precision policy (autograd/autocast.h): matrix products in bfloat16 with float32
// results and float32 gradients; everything else, and everything outside a guard, unchanged.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograd/autocast.h"
#include "autograd/ops.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace pldr::ag {
namespace {

TEST(Autocast, PrecisionNamesParseAndBadOnesAreNamed) {
  EXPECT_EQ(precision_from_name("float32"), Precision::Float32);
  EXPECT_EQ(precision_from_name("bf16-mixed"), Precision::BFloat16Mixed);
  EXPECT_STREQ(precision_name(Precision::BFloat16Mixed), "bf16-mixed");
  try {
    precision_from_name("fp8");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("fp8"), std::string::npos);
  }
}

TEST(Autocast, GuardScopesThePolicyToThisThread) {
  EXPECT_EQ(autocast_precision(), Precision::Float32);
  {
    AutocastGuard mixed(Precision::BFloat16Mixed);
    EXPECT_EQ(autocast_precision(), Precision::BFloat16Mixed);
    {
      AutocastGuard plain(Precision::Float32);
      EXPECT_EQ(autocast_precision(), Precision::Float32);
    }
    EXPECT_EQ(autocast_precision(), Precision::BFloat16Mixed);
  }
  EXPECT_EQ(autocast_precision(), Precision::Float32);
}

TEST(Autocast, MixedMatmulRunsInBFloat16AndKeepsFloat32ResultsAndGradients) {
  Generator gen(3);
  const Tensor a = gen.uniform({4, 5, 6}, -1, 1, DType::Float32), b = gen.uniform({6, 3}, -1, 1, DType::Float32);
  const Tensor w = gen.uniform({4, 5, 3}, -1, 1, DType::Float32);
  // The oracle: the same product on bfloat16 operands, its gradients widened.
  Variable ha(a.to(DType::BFloat16), true), hb(b.to(DType::BFloat16), true);
  Variable expected = matmul(ha, hb);
  sum(mul(cast(expected, DType::Float32), Variable(w))).backward();

  Variable fa(a, true), fb(b, true);
  Variable got;
  {
    AutocastGuard mixed(Precision::BFloat16Mixed);
    got = matmul(fa, fb);
    sum(mul(got, Variable(w))).backward();
  }
  EXPECT_EQ(got.dtype(), DType::Float32);
  EXPECT_EQ(got.value().to_vector<double>(), expected.value().to_vector<double>());
  ASSERT_EQ(fa.grad().dtype(), DType::Float32);
  ASSERT_EQ(fb.grad().dtype(), DType::Float32);
  EXPECT_EQ(fa.grad().to_vector<double>(), ha.grad().to_vector<double>());
  EXPECT_EQ(fb.grad().to_vector<double>(), hb.grad().to_vector<double>());
  // And it differs from the float32 product: the policy did something.
  EXPECT_NE(matmul(Variable(a), Variable(b)).value().to_vector<double>(), got.value().to_vector<double>());
}

TEST(Autocast, Float64AndOtherOpsAreLeftAlone) {
  Generator gen(4);
  const Tensor a = gen.uniform({3, 3}, -1, 1, DType::Float64), x = gen.uniform({2, 5}, -1, 1, DType::Float32);
  AutocastGuard mixed(Precision::BFloat16Mixed);
  EXPECT_EQ(matmul(Variable(a), Variable(a)).value().to_vector<double>(), pldr::ops::matmul(a, a).to_vector<double>());
  EXPECT_EQ(softmax(Variable(x)).value().to_vector<double>(), pldr::ops::softmax(x).to_vector<double>());
}

}  // namespace
}  // namespace pldr::ag
