// AdamW, the warm-up + cosine schedule and clipping against hand-worked values.
#include <gtest/gtest.h>

#include <cmath>

#include "optim/adamw.h"
#include "optim/clipping.h"
#include "optim/schedule.h"
#include "tensor/creation.h"

namespace pldr::optim {
namespace {

TEST(WarmupCosine, FollowsTheReferenceFormula) {
  const WarmupCosine s{1e-3, 4, 12, 0.1};
  EXPECT_EQ(s.lr(0), 0.0);  // the first step runs at factor 0
  EXPECT_DOUBLE_EQ(s.lr(2), 0.5e-3);
  EXPECT_DOUBLE_EQ(s.lr(4), 1e-3);
  EXPECT_NEAR(s.lr(8), 1e-3 * (0.9 * 0.5 * (1 + std::cos(M_PI * 0.5)) + 0.1), 1e-18);  // halfway down
  EXPECT_NEAR(s.lr(12), 1e-4, 1e-18);                                                  // alpha · base at the end
  EXPECT_NEAR(s.lr(50), 1e-4, 1e-18);                                                  // steps past total are capped
}

TEST(Clipping, ByValueClampsEachElementAndByNormScalesAll) {
  std::vector<ag::Variable> params{ag::Variable(zeros({3}, DType::Float64), true)};
  params[0].set_grad(from_vector(std::vector<double>{-3, 0.5, 2}, {3}));
  clip_grad_value(params, 1.0);
  EXPECT_EQ(params[0].grad().to_vector<double>(), (std::vector<double>{-1, 0.5, 1}));

  params[0].set_grad(from_vector(std::vector<double>{3, 4, 0}, {3}));  // norm 5
  EXPECT_DOUBLE_EQ(clip_grad_norm(params, 1.0), 5.0);
  const double scale = 1.0 / (5.0 + 1e-6);
  EXPECT_NEAR(params[0].grad().to_vector<double>()[0], 3 * scale, 1e-15);
  EXPECT_DOUBLE_EQ(grad_norm(params), 5.0 * scale);
}

TEST(Clipping, TensorFormsStayOnTheDeviceAndAgreeWithTheDoubleForms) {
  std::vector<ag::Variable> params{ag::Variable(zeros({2}, DType::Float32), true), ag::Variable(zeros({1}), true),
                                   ag::Variable(zeros({2}, DType::Float64), true)};
  params[0].set_grad(from_vector(std::vector<float>{3, 0}, {2}));
  params[2].set_grad(from_vector(std::vector<double>{0, 4}, {2}));  // params[1] has no gradient
  const Tensor norm = grad_norm_tensor(params);
  EXPECT_EQ(norm.dtype(), DType::Float64);
  EXPECT_EQ(norm.item(), 5.0);
  // Within the bound: gradients unchanged; above it: scaled by max_norm / (norm + 1e-6).
  EXPECT_EQ(clip_grad_norm_tensor(params, 10.0).item(), 5.0);
  EXPECT_EQ(params[0].grad().to_vector<float>(), (std::vector<float>{3, 0}));
  EXPECT_EQ(clip_grad_norm_tensor(params, 1.0).item(), 5.0);
  EXPECT_EQ(params[0].grad().to_vector<float>()[0], float(3) * float(1.0 / (5.0 + 1e-6)));
  EXPECT_EQ(params[2].grad().to_vector<double>()[1], 4 * (1.0 / (5.0 + 1e-6)));
  EXPECT_FALSE(params[1].grad().defined());
}

// Two steps by hand, with PyTorch's AdamW: decay, moments, bias correction, eps outside the sqrt.
TEST(AdamW, TwoStepsMatchTheClosedForm) {
  ag::Variable p(from_vector(std::vector<double>{1.0, -2.0}, {2}), true);
  AdamW opt({p}, {0.9, 0.95, 1e-5, 0.1});
  const std::vector<double> g1{0.5, -1.0}, g2{-0.25, 2.0};
  std::vector<double> w{1.0, -2.0}, m{0, 0}, v{0, 0};
  double lr = 1e-2;
  for (int t = 1; t <= 2; ++t) {
    const std::vector<double>& g = t == 1 ? g1 : g2;
    p.set_grad(from_vector(g, {2}));
    opt.step(lr);
    for (int i = 0; i < 2; ++i) {
      w[i] *= 1 - lr * 0.1;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
      const double mhat = m[i] / (1 - std::pow(0.9, t)), vhat = v[i] / (1 - std::pow(0.95, t));
      w[i] -= lr * mhat / (std::sqrt(vhat) + 1e-5);
    }
    const std::vector<double> got = p.value().to_vector<double>();
    EXPECT_NEAR(got[0], w[0], 1e-15);
    EXPECT_NEAR(got[1], w[1], 1e-15);
  }
  EXPECT_EQ(opt.steps(), 2);
}

TEST(AdamW, SkipsParametersWithoutGradient) {
  ag::Variable p(from_vector(std::vector<double>{1.0}, {1}), true);
  AdamW opt({p}, {});
  opt.step(1e-2);
  EXPECT_EQ(p.value().to_vector<double>()[0], 1.0);
}

}  // namespace
}  // namespace pldr::optim
