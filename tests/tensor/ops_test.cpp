// Op values against closed forms and hand-computed cases, in float32 and float64.
#include <gtest/gtest.h>

#include <cmath>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace pldr {
namespace {

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
Tensor vec(std::vector<double> v, const Shape& s, DType dt = DType::Float64) { return from_vector(v, s, dt); }

class BothDtypes : public ::testing::TestWithParam<DType> {};

TEST_P(BothDtypes, ElementwiseWithBroadcasting) {
  const DType dt = GetParam();
  const Tensor col = vec({1, 2, 3}, {3, 1}, dt), row = vec({10, 20}, {1, 2}, dt);
  EXPECT_EQ(values(add(col, row)), (std::vector<double>{11, 21, 12, 22, 13, 23}));
  EXPECT_EQ(values(sub(row, col)), (std::vector<double>{9, 19, 8, 18, 7, 17}));
  EXPECT_EQ(values(mul(col, scalar(2, dt))), (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(values(div(row, vec({4}, {1}, dt))), (std::vector<double>{2.5, 5}));
  EXPECT_NEAR(values(pow(vec({2, 9}, {2}, dt), vec({3, 0.5}, {2}, dt)))[1], 3, 1e-6);
  EXPECT_EQ(values(binary(BinaryOp::Equal, col, vec({2}, {1}, dt))), (std::vector<double>{0, 1, 0}));
  EXPECT_THROW(add(vec({1, 2}, {2}, dt), vec({1, 2, 3}, {3}, dt)), std::invalid_argument);
  EXPECT_THROW(add(vec({1}, {1}, DType::Float32), vec({1}, {1}, DType::Float64)), std::invalid_argument);
}

TEST_P(BothDtypes, UnaryOps) {
  const DType dt = GetParam();
  const double tol = dt == DType::Float32 ? 1e-6 : 1e-14;
  const Tensor x = vec({-2, 0.5}, {2}, dt);
  auto at = [&](UnaryOp op, int i, double p0 = 0, double p1 = 0) { return values(unary(op, x, p0, p1))[i]; };
  EXPECT_EQ(at(UnaryOp::Neg, 0), 2);
  EXPECT_EQ(at(UnaryOp::Abs, 0), 2);
  EXPECT_EQ(at(UnaryOp::Sign, 0), -1);
  EXPECT_NEAR(at(UnaryOp::Exp, 1), std::exp(0.5), tol * 2);
  EXPECT_NEAR(at(UnaryOp::Log, 1), std::log(0.5), tol);
  EXPECT_NEAR(at(UnaryOp::Sqrt, 1), std::sqrt(0.5), tol);
  EXPECT_NEAR(at(UnaryOp::Sigmoid, 0), 1 / (1 + std::exp(2.0)), tol);
  EXPECT_NEAR(at(UnaryOp::Silu, 0), -2 / (1 + std::exp(2.0)), tol);
  EXPECT_EQ(at(UnaryOp::AddScalar, 1, 1.5), 2);
  EXPECT_EQ(at(UnaryOp::MulScalar, 0, 3), -6);
  EXPECT_NEAR(at(UnaryOp::PowScalar, 1, 2), 0.25, tol);
  EXPECT_EQ(at(UnaryOp::Clamp, 0, -1, 1), -1);
  // silu_back(x, g) = g σ(x)(1 + x(1 - σ(x)))
  const double s = 1 / (1 + std::exp(-0.5));
  EXPECT_NEAR(values(binary(BinaryOp::SiluBack, vec({0.5}, {1}, dt), vec({3}, {1}, dt)))[0], 3 * s * (1 + 0.5 * (1 - s)), tol * 4);
}

TEST_P(BothDtypes, Reductions) {
  const DType dt = GetParam();
  const Tensor t = arange(0, 24, dt).view({2, 3, 4});
  EXPECT_EQ(values(sum(t)), std::vector<double>{276});
  EXPECT_EQ(values(sum(t, {1})), (std::vector<double>{12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_EQ(sum(t, {1}, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(values(mean(t, {0, 2})), (std::vector<double>{7.5, 11.5, 15.5}));
  EXPECT_EQ(values(max(t, {-1})), (std::vector<double>{3, 7, 11, 15, 19, 23}));
  EXPECT_EQ(values(sum_to_shape(ones({2, 3, 4}, dt), {3, 1})), (std::vector<double>{8, 8, 8}));
  EXPECT_EQ(argmax_last(vec({1, 5, 5, 0, -1, 2}, {2, 3}, dt)).to_vector<int32_t>(), (std::vector<int32_t>{1, 2}));
}

// Naive reference product over float64 copies.
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b) {
  const Tensor ad = a.to(DType::Float64).contiguous(), bd = b.to(DType::Float64).contiguous();
  const int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  std::vector<double> out(m * n, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) out[i * n + j] += ad.data<double>()[i * k + p] * bd.data<double>()[p * n + j];
  return out;
}

void expect_close(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(b[i]))) << i;
}

TEST_P(BothDtypes, MatmulLayouts) {
  const DType dt = GetParam();
  const double tol = dt == DType::Float32 ? 1e-4 : 1e-12;
  Generator g(3);
  const Tensor a = g.uniform({5, 7}, -1, 1, dt), b = g.uniform({7, 4}, -1, 1, dt);
  expect_close(values(matmul(a, b)), naive_matmul(a, b), tol);
  const Tensor at = g.uniform({7, 5}, -1, 1, dt), bt = g.uniform({4, 7}, -1, 1, dt);
  expect_close(values(matmul(at.transpose(0, 1), bt.transpose(0, 1))), naive_matmul(at.transpose(0, 1), bt.transpose(0, 1)), tol);
  const Tensor wide = g.uniform({5, 10}, -1, 1, dt);  // a column slice: neither axis has stride 1 overall
  expect_close(values(matmul(wide.slice(1, 2, 9), b)), naive_matmul(wide.slice(1, 2, 9), b), tol);
  // Batched, with broadcast batch axes on either side.
  const Tensor a4 = g.uniform({2, 3, 5, 7}, -1, 1, dt);
  const Tensor out4 = matmul(a4, b);
  EXPECT_EQ(out4.shape(), (Shape{2, 3, 5, 4}));
  expect_close(values(out4.select(0, 1).select(0, 2)), naive_matmul(a4.select(0, 1).select(0, 2), b), tol);
  const Tensor b3 = g.uniform({2, 7, 6}, -1, 1, dt);
  const Tensor out3 = matmul(a, b3);
  EXPECT_EQ(out3.shape(), (Shape{2, 5, 6}));
  expect_close(values(out3.select(0, 1)), naive_matmul(a, b3.select(0, 1)), tol);
  // Size-1 dimensions and a product large enough for the multi-threaded path.
  expect_close(values(matmul(a.slice(0, 0, 1), b)), naive_matmul(a.slice(0, 0, 1), b), tol);
  const Tensor big_a = g.uniform({300, 200}, -1, 1, dt), big_b = g.uniform({200, 250}, -1, 1, dt);
  expect_close(values(matmul(big_a, big_b)), naive_matmul(big_a, big_b), dt == DType::Float32 ? 1e-3 : 1e-11);
  EXPECT_THROW(matmul(a, a), std::invalid_argument);
}

TEST_P(BothDtypes, TraceEyeSoftmax) {
  const DType dt = GetParam();
  EXPECT_EQ(values(trace(arange(0, 18, dt).view({2, 3, 3}))), (std::vector<double>{12, 39}));
  EXPECT_EQ(values(eye(2, dt)), (std::vector<double>{1, 0, 0, 1}));
  const Tensor x = vec({1, 2, 3, 0, 0, 0}, {2, 3}, dt);
  const std::vector<double> p = values(softmax(x)), lp = values(log_softmax(x));
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const double tol = dt == DType::Float32 ? 1e-6 : 1e-15;
  EXPECT_NEAR(p[2], std::exp(3.0) / z, tol);
  EXPECT_NEAR(p[4], 1.0 / 3, tol);
  EXPECT_NEAR(lp[0], 1 - std::log(z), tol * 4);
}

TEST_P(BothDtypes, LayerNormByHand) {
  const DType dt = GetParam();
  const Tensor x = vec({1, 2, 3, 6}, {1, 4}, dt);
  const LayerNormResult r = layer_norm(x, vec({1, 2, 1, 1}, {4}, dt), vec({0, 0, 0, 1}, {4}, dt), 1e-6);
  const double mean = 3, var = (4 + 1 + 0 + 9) / 4.0, rstd = 1 / std::sqrt(var + 1e-6);  // biased variance
  const double tol = dt == DType::Float32 ? 1e-6 : 1e-14;
  EXPECT_NEAR(values(r.y)[1], (2 - mean) * rstd * 2, tol);
  EXPECT_NEAR(values(r.y)[3], (6 - mean) * rstd + 1, tol);
  EXPECT_NEAR(values(r.rstd)[0], rstd, tol);
}

TEST_P(BothDtypes, EmbeddingConcatCrossEntropy) {
  const DType dt = GetParam();
  const Tensor w = arange(0, 6, dt).view({3, 2});
  EXPECT_EQ(values(embedding(w, from_vector(std::vector<int32_t>{2, 0}, {2}))), (std::vector<double>{4, 5, 0, 1}));
  EXPECT_THROW(embedding(w, from_vector(std::vector<int32_t>{3}, {1})), std::out_of_range);
  EXPECT_EQ(values(embedding_back(ones({3, 2}, dt), from_vector(std::vector<int32_t>{1, 1, 2}, {3}), 3)),
            (std::vector<double>{0, 0, 2, 2, 1, 1}));
  EXPECT_EQ(values(concat({w, w.slice(0, 0, 1)}, 0)), (std::vector<double>{0, 1, 2, 3, 4, 5, 0, 1}));
  // Two rows, the second ignored: loss = logsumexp(row0) - row0[target].
  const Tensor logits = vec({0, 1, 2, 5, 5, 5}, {2, 3}, dt);
  const CrossEntropyResult ce = cross_entropy(logits, from_vector(std::vector<int32_t>{1, 0}, {2}), 0);
  EXPECT_EQ(ce.counted, 1);
  EXPECT_NEAR(ce.loss.item(), std::log(1 + std::exp(1.0) + std::exp(2.0)) - 1, dt == DType::Float32 ? 1e-6 : 1e-14);
  const CrossEntropyResult none = cross_entropy(logits, from_vector(std::vector<int32_t>{0, 0}, {2}), 0);
  EXPECT_EQ(none.counted, 0);
  EXPECT_EQ(none.loss.item(), 0.0);
  EXPECT_THROW(cross_entropy(logits, from_vector(std::vector<int32_t>{7, 1}, {2}), 0), std::out_of_range);
}

TEST_P(BothDtypes, RotaryRotatesPairs) {
  const DType dt = GetParam();
  const Tensor x = vec({1, 2, 3, 4}, {1, 1, 1, 4}, dt);
  const Tensor c = from_vector(std::vector<float>{0.6f, 1.0f}, {1, 2}), s = from_vector(std::vector<float>{0.8f, 0.0f}, {1, 2});
  const double c0 = double(0.6f), s0 = double(0.8f);
  const double tol = dt == DType::Float32 ? 1e-6 : 1e-15;
  const std::vector<double> inter = values(rotary(x, c, s, RotaryPairing::Interleaved, false));
  EXPECT_NEAR(inter[0], 1 * c0 - 2 * s0, tol);
  EXPECT_NEAR(inter[1], 2 * c0 + 1 * s0, tol);
  EXPECT_NEAR(inter[3], 4, tol);
  const std::vector<double> half = values(rotary(x, c, s, RotaryPairing::RotateHalf, false));
  EXPECT_NEAR(half[0], 1 * c0 - 3 * s0, tol);
  EXPECT_NEAR(half[2], 3 * c0 + 1 * s0, tol);
  const std::vector<double> back = values(rotary(rotary(x, c, s, RotaryPairing::Interleaved, false), c, s, RotaryPairing::Interleaved, true));
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(back[i], i + 1, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Float32AndFloat64, BothDtypes, ::testing::Values(DType::Float32, DType::Float64));

// ---- the matrix exponential against closed forms ----

TEST(Expm, Diagonal) {
  const std::vector<double> e = values(expm(vec({1, 0, 0, -2}, {2, 2})));
  EXPECT_NEAR(e[0], std::exp(1.0), 1e-14);
  EXPECT_NEAR(e[3], std::exp(-2.0), 1e-15);
  EXPECT_NEAR(e[1], 0, 1e-15);
}

TEST(Expm, NilpotentIsAFiniteSeries) {
  // N strictly upper triangular (N³ = 0 for 3x3): expm(N) = I + N + N²/2.
  const std::vector<double> e = values(expm(vec({0, 2, 3, 0, 0, 5, 0, 0, 0}, {3, 3})));
  const std::vector<double> expected{1, 2, 3 + 2 * 5 / 2.0, 0, 1, 5, 0, 0, 1};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(e[i], expected[i], 1e-13) << i;
}

TEST(Expm, RotationGeneratorSmallAndLargeNorm) {
  for (double t : {0.3, 20.0}) {  // 20: the scaling-and-squaring path
    const std::vector<double> e = values(expm(vec({0, -t, t, 0}, {2, 2})));
    EXPECT_NEAR(e[0], std::cos(t), 1e-12);
    EXPECT_NEAR(e[1], -std::sin(t), 1e-12);
    EXPECT_NEAR(e[2], std::sin(t), 1e-12);
  }
}

TEST(Expm, BatchedAndFloat32) {
  const Tensor batch = vec({0, -1, 1, 0, 2, 0, 0, 3}, {2, 2, 2}, DType::Float32);
  const std::vector<double> e = values(expm(batch));
  EXPECT_NEAR(e[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(e[4], std::exp(2.0), 1e-5);
  EXPECT_NEAR(e[7], std::exp(3.0), 1e-5);
}

TEST(Expm, FrechetDerivativeMatchesFiniteDifferences) {
  Generator g(9);
  const Tensor a = g.uniform({4, 4}, -2, 2, DType::Float64), e = g.uniform({4, 4}, -1, 1, DType::Float64);
  const double h = 1e-6;
  const std::vector<double> plus = values(expm(add(a, mul_scalar(e, h)))), minus = values(expm(sub(a, mul_scalar(e, h))));
  const std::vector<double> l = values(expm_frechet(a, e));
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(l[i], (plus[i] - minus[i]) / (2 * h), 1e-6 * std::max(1.0, std::abs(l[i])));
}

TEST(Expm, LogTraceStaysFiniteBeyondFloat32) {
  const Tensor big = mul_scalar(eye(3, DType::Float32), 100.0);  // tr expm = 3 e^100, past float32's range
  EXPECT_NEAR(log_trace_expm(big).item(), 100 + std::log(3.0), 1e-4);
  const Tensor nilpotent = vec({0, 1e6, 0, 0}, {2, 2});  // tr expm = 2 despite a huge entry
  EXPECT_NEAR(log_trace_expm(nilpotent).item(), std::log(2.0), 1e-9);  // 18 squarings of a 1e6 entry
  Generator g(4);
  const Tensor x = g.uniform({2, 3, 3}, -1, 1, DType::Float64);
  expect_close(values(log_trace_expm(x)), values(log(trace(expm(x)))), 1e-13);
}

// ---- determinism across thread counts (resume exactness depends on it) ----

TEST(Determinism, ReductionsAreBitwiseStableAcrossThreadCounts) {
#ifdef _OPENMP
  Generator g(11);
  const Tensor x = g.normal({512, 96}, 0, 1, DType::Float32), gamma = g.normal({96}, 0, 1, DType::Float32);
  const Tensor up = g.normal({512, 96}, 0, 1, DType::Float32);
  const Tensor targets = arange(0, 512, DType::Int32);
  const Tensor logits = g.normal({512, 600}, 0, 1, DType::Float32);
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    const LayerNormResult r = layer_norm(x, gamma, zeros({96}), 1e-6);
    const LayerNormGrads d = layer_norm_back(up, x, r.mean, r.rstd, gamma);
    std::vector<double> out = values(d.dgamma);
    const std::vector<double> db = values(d.dbeta);
    out.insert(out.end(), db.begin(), db.end());
    out.push_back(cross_entropy(logits, targets, -1).loss.item());
    return out;
  };
  const int before = omp_get_max_threads();
  const std::vector<double> two = run(2), again = run(2), one = run(1);
  omp_set_num_threads(before);
  EXPECT_EQ(two, again);
  // dgamma/dbeta sum per-thread blocks in thread order: one thread may round differently, but
  // the cross-entropy total is summed sequentially and must agree exactly.
  EXPECT_EQ(two.back(), one.back());
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

}  // namespace
}  // namespace pldr
