// The tape: accumulation into leaves, zero_grad, detach, no-grad scopes, errors, deep graphs.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/creation.h"

namespace pldr {
namespace {

ag::Variable leaf(std::vector<double> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return ag::Variable(from_vector(v, {n}), true);
}

TEST(Engine, GradientsAccumulateUntilZeroGrad) {
  ag::Variable x = leaf({1, 2});
  ag::sum(ag::mul(x, x)).backward();
  ag::sum(ag::mul(x, x)).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4, 8}));  // 2 * 2x
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, DiamondGetsTheSummedGradient) {
  ag::Variable x = leaf({3});
  ag::Variable y = ag::add(ag::mul_scalar(x, 2), ag::exp(x));  // dy/dx = 2 + e^x
  y.backward(ones({1}, DType::Float64));
  EXPECT_NEAR(x.grad().item(), 2 + std::exp(3.0), 1e-12);
}

TEST(Engine, DetachCutsTheTape) {
  ag::Variable x = leaf({2});
  ag::Variable y = ag::mul(x.detach(), x);  // only the second factor carries gradient
  ag::sum(y).backward();
  EXPECT_EQ(x.grad().item(), 2.0);
}

TEST(Engine, NoGradScopeRecordsNothingAndRestores) {
  ag::Variable x = leaf({1});
  {
    ag::NoGradGuard guard;
    EXPECT_FALSE(ag::grad_enabled());
    ag::Variable y = ag::exp(x);
    EXPECT_TRUE(y.is_leaf());
    EXPECT_FALSE(y.requires_grad());
    {
      ag::NoGradGuard nested;
    }
    EXPECT_FALSE(ag::grad_enabled());
  }
  EXPECT_TRUE(ag::grad_enabled());
  EXPECT_FALSE(ag::exp(x).is_leaf());
}

TEST(Engine, ErrorsNameTheProblem) {
  ag::Variable x = leaf({1, 2});
  EXPECT_THROW(ag::exp(x).backward(), std::invalid_argument);  // not a scalar
  EXPECT_THROW(ag::Variable(zeros({1})).backward(), std::invalid_argument);  // no grad
  ag::Variable y = ag::record(x.value(), "my_op", {x}, nullptr);
  try {
    ag::sum(y).backward();
    FAIL() << "an op without a gradient rule was differentiated";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("my_op"), std::string::npos) << e.what();
  }
}

TEST(Engine, DeepChainsDoNotOverflowTheStack) {
  ag::Variable x = leaf({1});
  ag::Variable y = x;
  for (int i = 0; i < 20000; ++i) y = ag::add_scalar(y, 1e-3);
  ag::sum(y).backward();
  EXPECT_EQ(x.grad().item(), 1.0);
}

}  // namespace
}  // namespace pldr
