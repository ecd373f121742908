// Finite-difference gradient checks in float64: one harness for every differentiable op.
//
// For f(inputs) = Σ op(inputs) ∘ W with a fixed random W (so every output element matters),
// compares each input's analytic gradient with central differences (f(x+h) - f(x-h)) / 2h.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace pldr::testing {

using OpFn = std::function<ag::Variable(const std::vector<ag::Variable>&)>;

struct GradCase {
  std::string name;
  std::vector<Tensor> inputs;  // float64; each one's gradient is checked
  OpFn op;
  double tolerance = 1e-6;     // on |analytic - numeric| / max(1, |numeric|)
};

inline Tensor random_tensor(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator g(seed);
  return g.uniform(shape, low, high, DType::Float64);
}

inline void check_gradients(const GradCase& c) {
  // The weights W: one draw, shaped like the op's output.
  std::vector<ag::Variable> probe;
  for (const Tensor& t : c.inputs) probe.push_back(ag::Variable(t.clone()));
  const Shape out_shape = c.op(probe).shape();
  const Tensor weights = random_tensor(out_shape, 991, -1, 1);
  auto objective = [&](const std::vector<Tensor>& values) {
    std::vector<ag::Variable> vars;
    for (const Tensor& v : values) vars.push_back(ag::Variable(v));
    return ::pldr::sum(::pldr::mul(c.op(vars).value().contiguous(), weights)).item();
  };

  std::vector<ag::Variable> vars;
  for (const Tensor& t : c.inputs) vars.push_back(ag::Variable(t.clone(), true));
  ag::Variable f = ag::sum(ag::mul(c.op(vars), ag::Variable(weights)));
  f.backward();

  const double h = 1e-6;
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    ASSERT_TRUE(vars[k].grad().defined()) << c.name << ": input " << k << " got no gradient";
    ASSERT_EQ(vars[k].grad().shape(), c.inputs[k].shape()) << c.name;
    const std::vector<double> analytic = vars[k].grad().to_vector<double>();
    const int64_t n = c.inputs[k].numel();
    for (int64_t i = 0; i < n; ++i) {
      std::vector<Tensor> plus, minus;
      for (const Tensor& t : c.inputs) plus.push_back(t.contiguous().clone()), minus.push_back(t.contiguous().clone());
      plus[k].data<double>()[i] += h;
      minus[k].data<double>()[i] -= h;
      const double numeric = (objective(plus) - objective(minus)) / (2 * h);
      EXPECT_NEAR(analytic[i], numeric, c.tolerance * std::max(1.0, std::abs(numeric)))
          << c.name << ": input " << k << " element " << i;
    }
  }
}

}  // namespace pldr::testing
