// Op values against closed forms and hand-computed cases, in float32 and float64: elementwise
// ops with broadcasting, reductions, softmax, layer norm, embedding, concat, cross-entropy,
// rotary; plus bitwise determinism across thread counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::ops {
namespace {

using testing::at;
using testing::contains;
using testing::error_message;
using testing::expect_close;
using testing::unravel;
using testing::values;

Tensor vec(std::vector<double> v, const Shape& s, DType dt = DType::Float64) { return from_vector(v, s, dt); }

class BothDtypes : public ::testing::TestWithParam<DType> {
 protected:
  DType dt() const { return GetParam(); }
  bool f32() const { return GetParam() == DType::Float32; }
  // Relative tolerance for a few roundings in this dtype.
  double tol() const { return f32() ? 2e-6 : 1e-14; }
};

// ---- elementwise ----

TEST_P(BothDtypes, BinaryOpsBroadcastColumnAgainstRow) {
  const std::vector<double> c{1, 2, 3}, r{0.5, 2, -1, 4};
  const Tensor col = vec(c, {3, 1}, dt()), row = vec(r, {1, 4}, dt());
  struct Case {
    BinaryOp op;
    std::function<double(double, double)> f;
  };
  const std::vector<Case> cases{{BinaryOp::Add, [](double x, double y) { return x + y; }},
                                {BinaryOp::Sub, [](double x, double y) { return x - y; }},
                                {BinaryOp::Mul, [](double x, double y) { return x * y; }},
                                {BinaryOp::Div, [](double x, double y) { return x / y; }},
                                {BinaryOp::Pow, [](double x, double y) { return std::pow(x, y); }}};
  for (const Case& k : cases) {
    const Tensor out = binary(k.op, col, row);
    ASSERT_EQ(out.shape(), (Shape{3, 4}));
    ASSERT_EQ(out.dtype(), dt());
    std::vector<double> expected;
    for (double x : c)
      for (double y : r) expected.push_back(k.f(x, y));
    expect_close(values(out), expected, tol(), "binary op " + std::to_string(int(k.op)));
  }
  // Operand order matters for the non-commutative ops: [1,4] - [3,1].
  EXPECT_EQ(values(sub(row, col))[1], 2 - 1);
  EXPECT_EQ(values(div(row, col))[4], 0.25);
}

TEST_P(BothDtypes, ScalarShapesAndRankExtension) {
  const Tensor s = scalar(2, dt()), m = vec({1, 2, 3, 4, 5, 6}, {2, 3}, dt());
  const Tensor sm = add(s, m);
  EXPECT_EQ(sm.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(sm), (std::vector<double>{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(values(sub(m, s)), (std::vector<double>{-1, 0, 1, 2, 3, 4}));
  EXPECT_EQ(values(div(s, m))[3], 0.5);
  const Tensor ss = mul(s, scalar(-3, dt()));
  EXPECT_EQ(ss.shape(), Shape{});
  EXPECT_EQ(ss.item(), -6);
  EXPECT_EQ(values(pow(m, s)), (std::vector<double>{1, 4, 9, 16, 25, 36}));
  // [3] against [2, 3]: the vector repeats along the new leading axis.
  EXPECT_EQ(values(mul(m, vec({1, 10, 100}, {3}, dt()))), (std::vector<double>{1, 20, 300, 4, 50, 600}));
  // [2, 1, 3] * [4, 1] -> [2, 4, 3].
  const Tensor a = vec({1, 2, 3, 4, 5, 6}, {2, 1, 3}, dt()), b = vec({1, 2, 3, 4}, {4, 1}, dt());
  const Tensor ab = mul(a, b);
  EXPECT_EQ(ab.shape(), (Shape{2, 4, 3}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 3; ++k) ASSERT_EQ(at(ab, {i, j, k}), (i * 3 + k + 1) * (j + 1));
}

TEST_P(BothDtypes, BinaryOnNonContiguousViews) {
  const Tensor m = vec({1, 2, 3, 4, 5, 6}, {2, 3}, dt());
  // mᵀ [3, 2] + a column slice of a [3, 4] tensor.
  const Tensor w = arange(0, 12, dt()).view({3, 4});
  EXPECT_EQ(values(add(m.transpose(0, 1), w.slice(1, 1, 3))), (std::vector<double>{2, 6, 7, 11, 12, 16}));
  // An expanded operand (stride 0) on both sides.
  EXPECT_EQ(values(mul(vec({2}, {1}, dt()).expand({2, 2}), vec({1, 3}, {2, 1}, dt()).expand({2, 2}))),
            (std::vector<double>{2, 2, 6, 6}));
}

TEST_P(BothDtypes, BinaryErrors) {
  const std::string shapes = error_message([&] { add(vec({1, 2}, {2}, dt()), vec({1, 2, 3}, {3}, dt())); });
  EXPECT_TRUE(contains(shapes, "[2]") && contains(shapes, "[3]") && contains(shapes, "add")) << shapes;
  const std::string dtypes = error_message([&] { mul(vec({1}, {1}, DType::Float32), vec({1}, {1}, DType::Float64)); });
  EXPECT_TRUE(contains(dtypes, "float32") && contains(dtypes, "float64")) << dtypes;
  EXPECT_THROW(add(arange(0, 2), arange(0, 2)), std::invalid_argument);  // int32 has no arithmetic
  EXPECT_EQ(values(binary(BinaryOp::Equal, vec({1, 2, 3}, {3, 1}, dt()), vec({2}, {1}, dt()))),
            (std::vector<double>{0, 1, 0}));
}

TEST_P(BothDtypes, UnaryOpsAgainstTheStandardLibrary) {
  const std::vector<double> xs{-2.5, -0.5, 0, 0.5, 3};
  const std::vector<double> pos{0.25, 0.5, 1, 2, 9};
  const Tensor x = vec(xs, {5}, dt()), p = vec(pos, {5}, dt());
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  auto check = [&](UnaryOp op, const Tensor& in, const std::vector<double>& from, std::function<double(double)> f,
                   double p0 = 0, double p1 = 0) {
    const Tensor out = unary(op, in, p0, p1);
    ASSERT_EQ(out.shape(), in.shape());
    std::vector<double> expected;
    for (double v : from) expected.push_back(f(v));
    expect_close(values(out), expected, tol(), "unary op " + std::to_string(int(op)));
  };
  check(UnaryOp::Neg, x, xs, [](double v) { return -v; });
  check(UnaryOp::Abs, x, xs, [](double v) { return std::abs(v); });
  check(UnaryOp::Sign, x, xs, [](double v) { return double((v > 0) - (v < 0)); });
  check(UnaryOp::Exp, x, xs, [](double v) { return std::exp(v); });
  check(UnaryOp::Log, p, pos, [](double v) { return std::log(v); });
  check(UnaryOp::Sqrt, p, pos, [](double v) { return std::sqrt(v); });
  check(UnaryOp::Sigmoid, x, xs, sig);
  check(UnaryOp::Silu, x, xs, [&](double v) { return v * sig(v); });
  check(
      UnaryOp::AddScalar, x, xs, [](double v) { return v + 1.5; }, 1.5);
  check(
      UnaryOp::MulScalar, x, xs, [](double v) { return v * -4; }, -4);
  check(
      UnaryOp::PowScalar, x, xs, [](double v) { return v * v * v; }, 3);
  check(
      UnaryOp::PowScalar, p, pos, [](double v) { return std::sqrt(v); }, 0.5);
  check(
      UnaryOp::Clamp, x, xs, [](double v) { return std::min(1.0, std::max(-1.0, v)); }, -1, 1);
  EXPECT_EQ(values(neg(x)), values(unary(UnaryOp::Neg, x)));
  EXPECT_EQ(values(exp(x)), values(unary(UnaryOp::Exp, x)));
  EXPECT_EQ(values(log(p)), values(unary(UnaryOp::Log, p)));
  EXPECT_EQ(values(sqrt(p)), values(unary(UnaryOp::Sqrt, p)));
  EXPECT_EQ(values(add_scalar(x, 2)), values(unary(UnaryOp::AddScalar, x, 2)));
  EXPECT_EQ(values(mul_scalar(x, 2)), values(unary(UnaryOp::MulScalar, x, 2)));
  EXPECT_EQ(values(pow_scalar(p, 2)), values(unary(UnaryOp::PowScalar, p, 2)));
  EXPECT_EQ(values(clamp(x, 0, 1)), (std::vector<double>{0, 0, 0, 0.5, 1}));
  // silu's backward (x, g) -> g σ(x)(1 + x(1 - σ(x))).
  const Tensor g = vec({1, 2, 3, -1, 0.5}, {5}, dt());
  std::vector<double> expected;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double s = sig(xs[i]);
    expected.push_back(values(g)[i] * s * (1 + xs[i] * (1 - s)));
  }
  expect_close(values(binary(BinaryOp::SiluBack, x, g)), expected, tol() * 4, "silu_back");
  // A strided input: results in logical order.
  EXPECT_EQ(values(neg(vec({1, 2, 3, 4, 5, 6}, {2, 3}, dt()).transpose(0, 1))),
            (std::vector<double>{-1, -4, -2, -5, -3, -6}));
  EXPECT_THROW(neg(arange(0, 3)), std::invalid_argument);
}

// ---- reductions ----

TEST_P(BothDtypes, SumMeanMaxByHand) {
  const Tensor t = arange(0, 24, dt()).view({2, 3, 4});  // t[i,j,k] = 12i + 4j + k
  const Tensor all = sum(t);
  EXPECT_EQ(all.shape(), Shape{});
  EXPECT_EQ(all.item(), 276);
  EXPECT_EQ(sum(t, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(values(sum(t, {0})), (std::vector<double>{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}));
  const Tensor s1 = sum(t, {1}, true);
  EXPECT_EQ(s1.shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(values(s1), (std::vector<double>{12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_EQ(values(sum(t, {-1, 0})), (std::vector<double>{60, 92, 124}));
  EXPECT_EQ(values(sum(t, {0, 1})), (std::vector<double>{60, 66, 72, 78}));
  EXPECT_EQ(values(mean(t, {0, 2})), (std::vector<double>{7.5, 11.5, 15.5}));
  EXPECT_EQ(mean(t, {0, 2}, true).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(mean(t).item(), 11.5);
  EXPECT_EQ(values(max(t, {-1})), (std::vector<double>{3, 7, 11, 15, 19, 23}));
  const Tensor negt = neg(t);  // all values <= 0: a max that starts from 0 would be wrong
  EXPECT_EQ(values(max(negt, {2})), (std::vector<double>{0, -4, -8, -12, -16, -20}));
  EXPECT_EQ(values(max(negt, {0}, true)), values(negt.slice(0, 0, 1)));
  EXPECT_EQ(max(negt, {0}, true).shape(), (Shape{1, 3, 4}));
  EXPECT_EQ(max(add_scalar(negt, -1)).item(), -1);
  // A non-contiguous input: tᵀ(0,2) [4, 3, 2] summed over axis 0 -> [3, 2], value 48i + 16j + 6 at [j, i].
  EXPECT_EQ(values(sum(t.transpose(0, 2), {0})), (std::vector<double>{6, 54, 22, 70, 38, 86}));
  EXPECT_THROW(sum(t, {3}), std::out_of_range);
}

// Naive reduction over `axes` by walking every element.
std::vector<double> naive_reduce(const Tensor& x, const std::vector<int>& axes, bool is_max) {
  Shape out_shape = x.shape();
  for (int a : axes) out_shape[a] = 1;
  std::vector<double> out(numel(out_shape), is_max ? -INFINITY : 0.0);
  const std::vector<double> v = values(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    std::vector<int64_t> idx = unravel(i, x.shape());
    for (int a : axes) idx[a] = 0;
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d) o = o * out_shape[d] + idx[d];
    out[o] = is_max ? std::max(out[o], v[i]) : out[o] + v[i];
  }
  return out;
}

TEST_P(BothDtypes, EveryAxisSubsetAgainstANaiveReduction) {
  Generator g(21);
  const Tensor x = g.uniform({3, 4, 5}, -2, 2, dt());
  const Tensor xt = g.uniform({5, 4, 3}, -2, 2, dt()).permute({2, 1, 0});  // strided [3, 4, 5]
  for (const Tensor& in : {x, xt})
    for (int mask = 1; mask < 8; ++mask) {
      std::vector<int> axes;
      for (int a = 0; a < 3; ++a)
        if (mask & (1 << a)) axes.push_back(a);
      for (bool keepdim : {false, true}) {
        const Tensor s = sum(in, axes, keepdim), m = max(in, axes, keepdim);
        Shape expected_shape;
        for (int a = 0; a < 3; ++a) {
          const bool reduced = mask & (1 << a);
          if (keepdim || !reduced) expected_shape.push_back(reduced ? 1 : in.shape()[a]);
        }
        ASSERT_EQ(s.shape(), expected_shape) << "mask " << mask;
        ASSERT_EQ(m.shape(), expected_shape) << "mask " << mask;
        expect_close(values(s), naive_reduce(in, axes, false), f32() ? 1e-5 : 1e-13,
                     "sum mask " + std::to_string(mask));
        expect_close(values(m), naive_reduce(in, axes, true), 0, "max mask " + std::to_string(mask));
      }
    }
  // Leading axes of a wide dense tensor (several column blocks, threaded).
  const Tensor wide = g.uniform({300, 600}, -1, 1, dt());
  expect_close(values(sum(wide, {0})), naive_reduce(wide, {0}, false), f32() ? 1e-5 : 1e-12, "wide sum");
  expect_close(values(max(wide, {0})), naive_reduce(wide, {0}, true), 0, "wide max");
  expect_close(values(sum(wide, {1})), naive_reduce(wide, {1}, false), f32() ? 1e-5 : 1e-12, "wide row sum");
}

TEST_P(BothDtypes, LongSumsAccumulateAccurately) {
  // 2^20 copies of 0.1: float32 accumulation would drift by ~1%; the sums accumulate in double.
  const int64_t n = int64_t(1) << 20;
  const double v = f32() ? double(0.1f) : 0.1;
  EXPECT_NEAR(sum(full({n}, 0.1, dt())).item(), n * v, n * v * 1e-6);
  EXPECT_NEAR(values(sum(full({n / 2, 2}, 0.1, dt()), {0}))[1], n / 2 * v, n * v * 1e-6);
}

TEST_P(BothDtypes, SumToShape) {
  const Tensor o = ones({2, 3, 4}, dt());
  EXPECT_EQ(values(sum_to_shape(o, {3, 1})), (std::vector<double>{8, 8, 8}));
  EXPECT_EQ(sum_to_shape(o, {3, 1}).shape(), (Shape{3, 1}));
  EXPECT_EQ(values(sum_to_shape(o, {4})), std::vector<double>(4, 6));
  EXPECT_EQ(sum_to_shape(o, {}).shape(), Shape{});
  EXPECT_EQ(sum_to_shape(o, {}).item(), 24);
  EXPECT_EQ(values(sum_to_shape(o, {1, 3, 4})), std::vector<double>(12, 2));
  EXPECT_EQ(values(sum_to_shape(o, {2, 1, 1})), (std::vector<double>{12, 12}));
  const Tensor t = arange(0, 6, dt()).view({2, 3});
  EXPECT_EQ(values(sum_to_shape(t, {1, 3})), (std::vector<double>{3, 5, 7}));
  EXPECT_EQ(values(sum_to_shape(t, {2, 1})), (std::vector<double>{3, 12}));
  EXPECT_TRUE(sum_to_shape(t, {2, 3}).shares_storage(t));
  EXPECT_THROW(sum_to_shape(t, {1, 2, 3, 4}), std::invalid_argument);
}

TEST_P(BothDtypes, ArgmaxLast) {
  const Tensor x = vec({1, 5, 5, 0, -1, -3, -2, -9, 0, 7, 7, -20}, {3, 4}, dt());
  const Tensor a = argmax_last(x);
  EXPECT_EQ(a.dtype(), DType::Int32);
  EXPECT_EQ(a.shape(), Shape{3});
  EXPECT_EQ(a.to_vector<int32_t>(), (std::vector<int32_t>{1, 0, 1}));  // first maximum wins
  EXPECT_EQ(argmax_last(x.view({3, 2, 2})).to_vector<int32_t>(), (std::vector<int32_t>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(argmax_last(x.transpose(0, 1)).to_vector<int32_t>(), (std::vector<int32_t>{0, 2, 2, 0}));
  EXPECT_EQ(argmax_last(vec({0, 3, 1}, {3}, dt())).shape(), Shape{});
  EXPECT_EQ(argmax_last(vec({0, 3, 1}, {3}, dt())).item(), 1);
  // The first maximum wins, NaNs never do, a NaN in front gives 0 (a running `>` comparison).
  EXPECT_EQ(argmax_last(vec({1, 5, 2, 5, 5}, {5}, dt())).item(), 1);
  EXPECT_EQ(argmax_last(vec({1, NAN, 2, 0}, {4}, dt())).item(), 2);
  EXPECT_EQ(argmax_last(vec({NAN, 1, 2}, {3}, dt())).item(), 0);
}

// ---- trace / eye ----

TEST_P(BothDtypes, TraceAndEye) {
  const Tensor t = arange(0, 18, dt()).view({2, 3, 3});
  EXPECT_EQ(values(trace(t)), (std::vector<double>{12, 39}));
  EXPECT_EQ(trace(t.select(0, 0)).shape(), Shape{});
  EXPECT_EQ(trace(t.select(0, 0)).item(), 12);
  EXPECT_EQ(values(trace(t.transpose(-1, -2))), (std::vector<double>{12, 39}));
  EXPECT_EQ(values(trace(arange(0, 8, dt()).view({2, 2, 2}).unsqueeze(0))), (std::vector<double>{3, 11}));
  EXPECT_THROW(trace(arange(0, 6, dt()).view({2, 3})), std::invalid_argument);
  EXPECT_THROW(trace(arange(0, 3, dt())), std::invalid_argument);
  const Tensor i3 = eye(3, dt());
  EXPECT_EQ(i3.dtype(), dt());
  EXPECT_EQ(i3.shape(), (Shape{3, 3}));
  EXPECT_EQ(values(i3), (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(trace(eye(5, dt())).item(), 5);
}

// ---- softmax ----

TEST_P(BothDtypes, SoftmaxAndLogSoftmax) {
  const Tensor x = vec({1, 2, 3, 0, 0, 0, 1000, 1001, 1002, -5, 10, 2}, {4, 3}, dt());
  const Tensor p = softmax(x), lp = log_softmax(x);
  EXPECT_EQ(p.shape(), x.shape());
  const std::vector<double> pv = values(p), lpv = values(lp);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(pv[i], std::exp(i + 1.0) / z, tol());
    EXPECT_NEAR(pv[3 + i], 1.0 / 3, tol());
    EXPECT_NEAR(pv[6 + i], pv[i], tol());  // shift invariance, no overflow at 1000
    EXPECT_NEAR(lpv[i], (i + 1.0) - std::log(z), tol() * 4);
    EXPECT_NEAR(lpv[6 + i], lpv[i], f32() ? 2e-4 : 1e-12);
  }
  for (int r = 0; r < 4; ++r) {
    double total = 0;
    for (int i = 0; i < 3; ++i) {
      total += pv[3 * r + i];
      // log-softmax at 1000 rounds its log-sum-exp to the ulp of 1000 (6e-5 in float32, 1e-13 in float64).
      EXPECT_NEAR(std::exp(lpv[3 * r + i]), pv[3 * r + i], f32() ? 1e-4 : 1e-12);
    }
    EXPECT_NEAR(total, 1, tol());
  }
  // Last axis of a transposed view: same as of its dense copy.
  expect_close(values(softmax(x.transpose(0, 1))), values(softmax(x.transpose(0, 1).contiguous())), 0);
  expect_close(values(softmax(vec({4}, {1}, dt()))), {1}, 0);
  EXPECT_THROW(softmax(scalar(1, dt())), std::invalid_argument);
}

TEST_P(BothDtypes, SoftmaxBackwardsByFormula) {
  const Tensor x = vec({0.5, -1, 2, 0.1, 0.2, 0.3}, {2, 3}, dt()), g = vec({1, -2, 0.5, 3, 0, -1}, {2, 3}, dt());
  const std::vector<double> y = values(softmax(x)), ly = values(log_softmax(x)), gv = values(g);
  std::vector<double> dsm, dlsm;
  for (int r = 0; r < 2; ++r) {
    double dot = 0, gsum = 0;
    for (int i = 0; i < 3; ++i) dot += gv[3 * r + i] * y[3 * r + i], gsum += gv[3 * r + i];
    for (int i = 0; i < 3; ++i) {
      dsm.push_back(y[3 * r + i] * (gv[3 * r + i] - dot));
      dlsm.push_back(gv[3 * r + i] - std::exp(ly[3 * r + i]) * gsum);
    }
  }
  expect_close(values(softmax_back(softmax(x), g)), dsm, tol() * 4, "softmax_back");
  expect_close(values(log_softmax_back(log_softmax(x), g)), dlsm, tol() * 4, "log_softmax_back");
}

// ---- layer norm ----

TEST_P(BothDtypes, LayerNormByHand) {
  const double eps = 1e-5;
  const Tensor x = vec({1, 2, 3, 6, 2, 2, 2, 2}, {2, 4}, dt());
  const Tensor gamma = vec({1, 2, 1, -1}, {4}, dt()), beta = vec({0, 0, 0.5, 1}, {4}, dt());
  const LayerNormResult r = layer_norm(x, gamma, beta, eps);
  const double mean = 3, var = (4 + 1 + 0 + 9) / 4.0, rstd = 1 / std::sqrt(var + eps);  // biased variance
  const std::vector<double> expected{(1 - mean) * rstd * 1,
                                     (2 - mean) * rstd * 2,
                                     (3 - mean) * rstd * 1 + 0.5,
                                     (6 - mean) * rstd * -1 + 1,
                                     0,
                                     0,
                                     0.5,
                                     1};  // a constant row normalises to 0: y = beta
  expect_close(values(r.y), expected, tol() * 2, "y");
  EXPECT_EQ(r.mean.shape(), Shape{2});
  expect_close(values(r.mean), {3, 2}, tol(), "mean");
  expect_close(values(r.rstd), {rstd, 1 / std::sqrt(eps)}, tol(), "rstd");  // eps is inside the sqrt
  // Batched [2, 1, 4] input and a transposed [4, 2]ᵀ view give the same rows.
  expect_close(values(layer_norm(x.view({2, 1, 4}), gamma, beta, eps).y), values(r.y), 0, "batched");
  expect_close(values(layer_norm(x.transpose(0, 1).contiguous().transpose(0, 1), gamma, beta, eps).y), values(r.y), 0,
               "strided");
  const std::string msg = error_message([&] { layer_norm(x, vec({1, 1, 1}, {3}, dt()), beta, eps); });
  EXPECT_TRUE(contains(msg, "[3]") && contains(msg, "[2,4]")) << msg;
}

// ---- embedding / concat ----

TEST_P(BothDtypes, EmbeddingGatherAndScatter) {
  const Tensor w = arange(0, 8, dt()).view({4, 2});
  const Tensor e = embedding(w, from_vector(std::vector<int32_t>{3, 0, 3, 1}, {2, 2}));
  EXPECT_EQ(e.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(e.dtype(), dt());
  EXPECT_EQ(values(e), (std::vector<double>{6, 7, 0, 1, 6, 7, 2, 3}));
  EXPECT_EQ(
      values(embedding(w.transpose(0, 1).contiguous().transpose(0, 1), from_vector(std::vector<int32_t>{2}, {1}))),
      (std::vector<double>{4, 5}));
  const std::string msg = error_message([&] { embedding(w, from_vector(std::vector<int32_t>{1, 4}, {2})); });
  EXPECT_TRUE(contains(msg, "4")) << msg;
  EXPECT_THROW(embedding(w, from_vector(std::vector<int32_t>{4}, {1})), std::out_of_range);
  EXPECT_THROW(embedding(w, from_vector(std::vector<int32_t>{-1}, {1})), std::out_of_range);
  EXPECT_THROW(embedding(w, from_vector(std::vector<double>{1}, {1})), std::invalid_argument);  // ids must be int32
  EXPECT_THROW(embedding(w.view({8}), from_vector(std::vector<int32_t>{0}, {1})), std::invalid_argument);
  const Tensor g = vec({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}, dt());
  EXPECT_EQ(values(embedding_back(g, from_vector(std::vector<int32_t>{3, 0, 3, 1}, {2, 2}), 4)),
            (std::vector<double>{3, 4, 7, 8, 0, 0, 1 + 5, 2 + 6}));
}

TEST_P(BothDtypes, Concat) {
  const Tensor a = arange(0, 4, dt()).view({2, 2}), b = arange(10, 16, dt()).view({2, 3}),
               c = arange(20, 22, dt()).view({2, 1});
  const Tensor cat1 = concat({a, b, c}, 1);
  EXPECT_EQ(cat1.shape(), (Shape{2, 6}));
  EXPECT_EQ(values(cat1), (std::vector<double>{0, 1, 10, 11, 12, 20, 2, 3, 13, 14, 15, 21}));
  EXPECT_EQ(values(concat({a, b, c}, -1)), values(cat1));
  const Tensor cat0 = concat({a, a.transpose(0, 1)}, 0);  // a non-contiguous part
  EXPECT_EQ(cat0.shape(), (Shape{4, 2}));
  EXPECT_EQ(values(cat0), (std::vector<double>{0, 1, 2, 3, 0, 2, 1, 3}));
  EXPECT_EQ(values(concat({a}, 0)), values(a));
  const std::string msg = error_message([&] { concat({a, b}, 0); });
  EXPECT_TRUE(contains(msg, "[2,3]") && contains(msg, "[2,2]")) << msg;
  EXPECT_THROW(concat({}, 0), std::invalid_argument);
  EXPECT_THROW(concat({a, a.to(dt() == DType::Float32 ? DType::Float64 : DType::Float32)}, 0), std::invalid_argument);
}

// ---- cross-entropy ----

double logsumexp(const std::vector<double>& row) {
  double total = 0;
  for (double v : row) total += std::exp(v);
  return std::log(total);
}

TEST_P(BothDtypes, CrossEntropyWithIgnoredTargets) {
  const std::vector<std::vector<double>> rows{{0, 1, 2, -1}, {5, 5, 5, 5}, {0.5, -0.5, 3, 1}};
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  const Tensor logits = vec(flat, {3, 4}, dt());
  const Tensor targets = from_vector(std::vector<int32_t>{2, 0, 3}, {3});  // row 1 is ignored (id 0)
  const CrossEntropyResult ce = cross_entropy(logits, targets, 0);
  const double l0 = logsumexp(rows[0]) - 2, l2 = logsumexp(rows[2]) - 1;
  EXPECT_EQ(ce.counted.item(), 2);
  EXPECT_EQ(ce.counted.dtype(), DType::Int32);
  EXPECT_EQ(ce.loss.shape(), Shape{});
  EXPECT_EQ(ce.loss.dtype(), dt());
  EXPECT_NEAR(ce.loss.item(), (l0 + l2) / 2, tol() * 4);
  // Batched targets [..] against logits [.., V].
  const CrossEntropyResult batched = cross_entropy(logits.view({1, 3, 4}), targets.view({1, 3}), 0);
  EXPECT_NEAR(batched.loss.item(), ce.loss.item(), tol());
  // A different ignore id: now id 0 counts and nothing is ignored.
  const CrossEntropyResult all = cross_entropy(logits, targets, -100);
  EXPECT_EQ(all.counted.item(), 3);
  EXPECT_NEAR(all.loss.item(), (l0 + logsumexp(rows[1]) - 5 + l2) / 3, tol() * 4);
  // Every target ignored: loss 0, nothing counted, zero gradient.
  const Tensor none = from_vector(std::vector<int32_t>{0, 0, 0}, {3});
  const CrossEntropyResult empty = cross_entropy(logits, none, 0);
  EXPECT_EQ(empty.counted.item(), 0);
  EXPECT_EQ(empty.loss.item(), 0.0);
  EXPECT_EQ(values(cross_entropy_back(logits, none, 0, empty.counted, scalar(1.0, dt()))), std::vector<double>(12, 0));
  // The gradient: (softmax - onehot) * g / counted on counted rows, zero on ignored ones.
  const double g = 0.5;
  std::vector<double> expected;
  const std::vector<int> t{2, 0, 3};
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 4; ++i)
      expected.push_back(r == 1 ? 0.0 : (std::exp(rows[r][i] - logsumexp(rows[r])) - (i == t[r])) * g / 2);
  expect_close(values(cross_entropy_back(logits, targets, 0, ce.counted, scalar(g, dt()))), expected, tol() * 4,
               "cross_entropy_back");
  EXPECT_THROW(cross_entropy_back(logits, targets, 0, ce.counted, scalar(g, DType::Int32)), std::invalid_argument);
  // Errors.
  EXPECT_THROW(cross_entropy(logits, from_vector(std::vector<int32_t>{7, 1, 1}, {3}), 0), std::out_of_range);
  EXPECT_THROW(cross_entropy(logits, from_vector(std::vector<int32_t>{-2, 1, 1}, {3}), 0), std::out_of_range);
  const std::string msg = error_message([&] {
    cross_entropy(logits, from_vector(std::vector<int32_t>{1, 1}, {2}), 0);
  });
  EXPECT_TRUE(contains(msg, "[3,4]") && contains(msg, "[2]")) << msg;
  EXPECT_THROW(cross_entropy(logits, vec({1, 1, 1}, {3}), 0), std::invalid_argument);  // float targets
}

// ---- rotary ----

TEST_P(BothDtypes, RotaryRotatesPairs) {
  const Tensor x = vec({1, 2, 3, 4}, {1, 1, 1, 4}, dt());
  const Tensor c = from_vector(std::vector<float>{0.6f, 1.0f}, {1, 2}),
               s = from_vector(std::vector<float>{0.8f, 0.0f}, {1, 2});
  const double c0 = double(0.6f), s0 = double(0.8f);
  const std::vector<double> inter = values(rotary(x, c, s, RotaryPairing::Interleaved, false));
  EXPECT_NEAR(inter[0], 1 * c0 - 2 * s0, tol());
  EXPECT_NEAR(inter[1], 2 * c0 + 1 * s0, tol());
  EXPECT_NEAR(inter[2], 3, tol());
  EXPECT_NEAR(inter[3], 4, tol());
  const std::vector<double> half = values(rotary(x, c, s, RotaryPairing::RotateHalf, false));
  EXPECT_NEAR(half[0], 1 * c0 - 3 * s0, tol());
  EXPECT_NEAR(half[2], 3 * c0 + 1 * s0, tol());
  EXPECT_NEAR(half[1], 2, tol());
  for (RotaryPairing pairing : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf}) {
    const std::vector<double> back = values(rotary(rotary(x, c, s, pairing, false), c, s, pairing, true));
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(back[i], i + 1, 1e-6);
  }
  EXPECT_THROW(rotary(vec({1, 2, 3}, {1, 1, 1, 3}, dt()), c, s, RotaryPairing::Interleaved, false),
               std::invalid_argument);
}

// Every batch item, position, head and pair of a [2, 3, 2, 6] input, against the rotation written
// out by hand from the tables: pair (j, k) -> (x_j c - x_k s, x_k c + x_j s), c and s of (position, pair).
TEST_P(BothDtypes, RotaryEveryPositionAndHead) {
  const int64_t b = 2, seq = 3, heads = 2, dk = 6, half = dk / 2;
  Generator g(31);
  const Tensor x = g.uniform({b, seq, heads, dk}, -1, 1, dt());
  const std::vector<float> angle = g.uniform({seq, half}, -3, 3, DType::Float32).to_vector<float>();
  std::vector<float> cv, sv;
  for (float a : angle) cv.push_back(std::cos(a)), sv.push_back(std::sin(a));
  const Tensor c = from_vector(cv, {seq, half}), s = from_vector(sv, {seq, half});
  const std::vector<double> xv = values(x);
  for (RotaryPairing pairing : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf})
    for (bool inverse : {false, true}) {
      std::vector<double> expected(xv.size());
      for (int64_t bi = 0; bi < b; ++bi)
        for (int64_t p = 0; p < seq; ++p)
          for (int64_t h = 0; h < heads; ++h) {
            const int64_t base = ((bi * seq + p) * heads + h) * dk;
            for (int64_t i = 0; i < half; ++i) {
              const int64_t j = pairing == RotaryPairing::Interleaved ? 2 * i : i;
              const int64_t k = pairing == RotaryPairing::Interleaved ? 2 * i + 1 : i + half;
              const double cs = cv[p * half + i], sn = inverse ? -double(sv[p * half + i]) : double(sv[p * half + i]);
              expected[base + j] = xv[base + j] * cs - xv[base + k] * sn;
              expected[base + k] = xv[base + k] * cs + xv[base + j] * sn;
            }
          }
      const Tensor out = rotary(x, c, s, pairing, inverse);
      ASSERT_EQ(out.shape(), x.shape());
      ASSERT_EQ(out.dtype(), dt());
      expect_close(values(out), expected, tol() * 2,
                   std::string(pairing == RotaryPairing::Interleaved ? "interleaved" : "rotate-half") +
                       (inverse ? " inverse" : ""));
      // A non-contiguous input (a permuted view of the same values) gives the same result.
      const Tensor xp = x.permute({0, 2, 1, 3}).contiguous().permute({0, 2, 1, 3});
      ASSERT_FALSE(xp.is_contiguous());
      expect_close(values(rotary(xp, c, s, pairing, inverse)), values(out), 0, "permuted input");
    }
  // Tables of the wrong shape or dtype are refused.
  EXPECT_THROW(rotary(x, c.slice(0, 0, 2), s.slice(0, 0, 2), RotaryPairing::Interleaved, false), std::invalid_argument);
  EXPECT_THROW(rotary(x, c.to(DType::Float64), s.to(DType::Float64), RotaryPairing::Interleaved, false),
               std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(tensor_ops, BothDtypes, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

// ---- determinism across thread counts (exact resume depends on it) ----

TEST(tensor_Determinism, KernelsAreBitwiseStableAcrossThreadCounts) {
#ifdef _OPENMP
  Generator g(11);
  // 1000 rows: a row count that is not a multiple of any block size, above the parallel threshold.
  const Tensor x = g.normal({1000, 96}, 0, 1, DType::Float32), gamma = g.normal({96}, 0, 1, DType::Float32);
  const Tensor beta = g.normal({96}, 0, 1, DType::Float32), up = g.normal({1000, 96}, 0, 1, DType::Float32);
  std::vector<int32_t> t(512);
  for (int i = 0; i < 512; ++i) t[i] = (i * 37) % 600;  // includes id 0, ignored below
  const Tensor targets = from_vector(t, {512});
  const Tensor logits = g.normal({512, 600}, 0, 1, DType::Float32);
  const Tensor x64 = g.normal({700, 64}, 0, 1, DType::Float64), g64 = g.normal({700, 64}, 0, 1, DType::Float64);
  const Tensor gamma64 = g.normal({64}, 0, 1, DType::Float64), beta64 = g.normal({64}, 0, 1, DType::Float64);
  struct Run {
    std::vector<float> dgamma, dbeta, dx, y, ce_grad;
    std::vector<double> dgamma64, dbeta64, sums;
    float ce = 0;
  };
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Run out;
    const LayerNormResult r = layer_norm(x, gamma, beta, 1e-6);
    const LayerNormGrads d = layer_norm_back(up, x, r.mean, r.rstd, gamma);
    out.dgamma = d.dgamma.to_vector<float>();
    out.dbeta = d.dbeta.to_vector<float>();
    out.dx = d.dx.to_vector<float>();
    out.y = r.y.to_vector<float>();
    const LayerNormResult r64 = layer_norm(x64, gamma64, beta64, 1e-5);
    const LayerNormGrads d64 = layer_norm_back(g64, x64, r64.mean, r64.rstd, gamma64);
    out.dgamma64 = values(d64.dgamma);
    out.dbeta64 = values(d64.dbeta);
    const CrossEntropyResult ce = cross_entropy(logits, targets, 0);
    out.ce = ce.loss.to_vector<float>()[0];
    out.ce_grad = cross_entropy_back(logits, targets, 0, ce.counted, scalar(1.0)).to_vector<float>();
    out.sums = values(sum(logits, {0}));
    const std::vector<double> s1 = values(sum(logits, {1}));
    out.sums.insert(out.sums.end(), s1.begin(), s1.end());
    return out;
  };
  const int before = omp_get_max_threads();
  const Run two = run(2), again = run(2), one = run(1);
  omp_set_num_threads(before);
  // Bitwise: the float vectors compare element by element with ==, and none holds a NaN.
  for (const Run* other : {&again, &one}) {
    const char* what = other == &one ? "1 vs 2 threads" : "repeated run";
    EXPECT_EQ(two.dgamma, other->dgamma) << what;
    EXPECT_EQ(two.dbeta, other->dbeta) << what;
    EXPECT_EQ(two.dgamma64, other->dgamma64) << what;
    EXPECT_EQ(two.dbeta64, other->dbeta64) << what;
    EXPECT_EQ(two.dx, other->dx) << what;
    EXPECT_EQ(two.y, other->y) << what;
    EXPECT_EQ(std::memcmp(&two.ce, &other->ce, sizeof(float)), 0) << what;
    EXPECT_EQ(two.ce_grad, other->ce_grad) << what;
    EXPECT_EQ(two.sums, other->sums) << what;
  }
  // And the sums are right: dbeta is the column sum of the upstream gradient.
  expect_close(std::vector<double>(two.dbeta.begin(), two.dbeta.end()), values(sum(up, {0})), 1e-4, "dbeta");
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

}  // namespace
}  // namespace pldr::ops
