// Finite-difference gradient checks in float64: one harness for every differentiable op.
//
// For f(inputs) = Σ op(inputs) ∘ W with a fixed random W shaped like the op's output (so every
// output element matters), each input's analytic gradient (from backward()) is compared with
// central differences (f(x + h e_i) - f(x - h e_i)) / 2h, element by element.
//
// Inputs keep their layout: a case may pass a non-contiguous view (a transposed or sliced
// tensor); the leaf then has exactly that shape, strides and offset, in a storage of its own.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/storage.h"

namespace pldr::testing {

using OpFn = std::function<ag::Variable(const std::vector<ag::Variable>&)>;

struct GradCase {
  std::string name;
  std::vector<Tensor> inputs;  // float64, any layout; every input's gradient is checked
  OpFn op;
  double tolerance = 1e-6;  // on |analytic - numeric| / max(1, |numeric|)
};

// GoogleTest prints a case by its name.
inline void PrintTo(const GradCase& c, std::ostream* os) { *os << c.name; }

// Uniform float64 values in [low, high) from a seeded generator.
inline Tensor random_tensor(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator g(seed);
  return g.uniform(shape, low, high, DType::Float64);
}

// Uniform magnitudes in [low, high) with random signs: values bounded away from 0.
inline Tensor signed_tensor(const Shape& shape, uint64_t seed, double low, double high) {
  std::vector<double> v = random_tensor(shape, seed, low, high).to_vector<double>();
  const std::vector<double> s = random_tensor(shape, seed + 1000003).to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = s[i] < 0 ? -v[i] : v[i];
  return from_vector(v, shape);
}

// Storage offset (from element [0, ..., 0]) of row-major element i.
inline int64_t element_offset(const Tensor& t, int64_t i) {
  int64_t off = 0;
  for (int a = t.dim() - 1; a >= 0; --a) {
    off += (i % t.shape()[a]) * t.strides()[a];
    i /= t.shape()[a];
  }
  return off;
}

// A copy with the same shape, strides and offset in a fresh storage (clone() would make it dense).
inline Tensor same_layout_copy(const Tensor& t) {
  int64_t extent = t.offset() + 1;
  for (int a = 0; a < t.dim(); ++a) {
    EXPECT_TRUE(t.strides()[a] > 0 || t.shape()[a] == 1)
        << "gradcheck: a broadcast (stride 0) input has no per-element gradient";
    extent += (t.shape()[a] - 1) * std::max<int64_t>(t.strides()[a], 0);
  }
  auto storage = std::make_shared<Storage>(size_t(extent) * dtype_size(t.dtype()), t.device());
  Tensor copy(storage, t.dtype(), t.shape(), t.strides(), t.offset());
  copy.copy_from(t);
  return copy;
}

inline void check_gradients(const GradCase& c) {
  for (const Tensor& t : c.inputs) ASSERT_EQ(t.dtype(), DType::Float64) << c.name << ": gradcheck runs in float64";

  // f(values) without the tape.
  auto objective = [&](const std::vector<Tensor>& values, const Tensor& weights) {
    ag::NoGradGuard no_grad;
    std::vector<ag::Variable> vars;
    for (const Tensor& v : values) vars.push_back(ag::Variable(v));
    return ::pldr::ops::sum(::pldr::ops::mul(c.op(vars).value(), weights)).item();
  };
  std::vector<ag::Variable> probe;
  for (const Tensor& t : c.inputs) probe.push_back(ag::Variable(same_layout_copy(t)));
  const Tensor weights = random_tensor(c.op(probe).shape(), 991, -1, 1);

  // Analytic gradients through the tape, with leaves in the inputs' own layouts.
  std::vector<ag::Variable> leaves;
  for (const Tensor& t : c.inputs) leaves.push_back(ag::Variable(same_layout_copy(t), true));
  ag::Variable f = ag::sum(ag::mul(c.op(leaves), ag::Variable(weights)));
  ASSERT_EQ(f.shape(), Shape{}) << c.name;
  EXPECT_NEAR(f.item(), objective(c.inputs, weights), 1e-12 * std::max(1.0, std::abs(f.item())))
      << c.name << ": the recorded forward differs from the untaped one";
  f.backward();

  const double h = 1e-6;
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    const Tensor& x = c.inputs[k];
    EXPECT_EQ(leaves[k].value().to_vector<double>(), x.to_vector<double>())
        << c.name << ": input " << k << " was modified";
    ASSERT_TRUE(leaves[k].grad().defined()) << c.name << ": input " << k << " got no gradient";
    ASSERT_EQ(leaves[k].grad().shape(), x.shape()) << c.name << ": input " << k;
    ASSERT_EQ(leaves[k].grad().dtype(), DType::Float64) << c.name << ": input " << k;
    const std::vector<double> analytic = leaves[k].grad().to_vector<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      std::vector<Tensor> plus, minus;
      for (const Tensor& t : c.inputs) plus.push_back(same_layout_copy(t)), minus.push_back(same_layout_copy(t));
      plus[k].data<double>()[element_offset(x, i)] += h;
      minus[k].data<double>()[element_offset(x, i)] -= h;
      const double numeric = (objective(plus, weights) - objective(minus, weights)) / (2 * h);
      EXPECT_NEAR(analytic[i], numeric, c.tolerance * std::max(1.0, std::abs(numeric)))
          << c.name << ": input " << k << " element " << i;
    }
  }
}

// A GoogleTest-safe name: letters, digits and single underscores.
inline std::string test_name(const std::string& name) {
  std::string out;
  for (char ch : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(ch));
    if (ok) out += ch;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace pldr::testing
