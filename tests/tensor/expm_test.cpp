// The matrix exponential (scaling and squaring, Padé 13) against closed forms; its Fréchet
// derivative against a closed form and finite differences; log tr expm.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::ops {
namespace {

using testing::expect_close;
using testing::values;

using Matrix = std::vector<std::vector<double>>;

Tensor tensor_of(const std::vector<Matrix>& batch, DType dt = DType::Float64) {
  std::vector<double> flat;
  for (const Matrix& m : batch)
    for (const auto& row : m) flat.insert(flat.end(), row.begin(), row.end());
  const int64_t n = static_cast<int64_t>(batch[0].size());
  return from_vector(flat, {static_cast<int64_t>(batch.size()), n, n}, dt);
}
Tensor tensor_of(const Matrix& m, DType dt = DType::Float64) {
  return tensor_of(std::vector<Matrix>{m}, dt).squeeze(0);
}

std::vector<double> flatten(const Matrix& m) {
  std::vector<double> out;
  for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
  return out;
}

Matrix product(const Matrix& a, const Matrix& b) {
  const size_t n = a.size();
  Matrix c(n, std::vector<double>(n, 0));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      for (size_t k = 0; k < n; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

Matrix rotation_generator(double t) { return {{0, -t}, {t, 0}}; }
Matrix rotation(double t) { return {{std::cos(t), -std::sin(t)}, {std::sin(t), std::cos(t)}}; }

// expm(N) for nilpotent N (N^n = 0): the finite series I + N + N²/2 + ... + N^(n-1)/(n-1)!.
Matrix nilpotent_exp(const Matrix& nmat) {
  const size_t n = nmat.size();
  Matrix result(n, std::vector<double>(n, 0)), power(n, std::vector<double>(n, 0));
  for (size_t i = 0; i < n; ++i) result[i][i] = power[i][i] = 1;
  double factorial = 1;
  for (size_t p = 1; p < n; ++p) {
    power = product(power, nmat);
    factorial *= double(p);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) result[i][j] += power[i][j] / factorial;
  }
  return result;
}

class ExpmBothDtypes : public ::testing::TestWithParam<DType> {
 protected:
  DType dt() const { return GetParam(); }
  double tol() const { return GetParam() == DType::Float32 ? 1e-6 : 1e-13; }
};

TEST_P(ExpmBothDtypes, DiagonalIsTheExpOfEntries) {
  const Tensor e = expm(tensor_of({{1, 0, 0}, {0, -2, 0}, {0, 0, 0.5}}, dt()));
  EXPECT_EQ(e.shape(), (Shape{3, 3}));
  EXPECT_EQ(e.dtype(), dt());
  expect_close(values(e), {std::exp(1.0), 0, 0, 0, std::exp(-2.0), 0, 0, 0, std::exp(0.5)}, tol());
  // Large diagonal entries take the scaling path: still the exp of each entry.
  expect_close(values(expm(tensor_of({{8, 0}, {0, -6}}, dt()))), {std::exp(8.0), 0, 0, std::exp(-6.0)}, tol() * 10);
  expect_close(values(expm(zeros({3, 3}, dt()))), values(eye(3, dt())), tol());
  expect_close(values(expm(from_vector(std::vector<double>{1.5}, {1, 1}, dt()))), {std::exp(1.5)}, tol());
}

TEST_P(ExpmBothDtypes, NilpotentIsAFiniteSeries) {
  const Matrix small{{0, 0.5, -1, 2}, {0, 0, 1.5, 0.25}, {0, 0, 0, -0.75}, {0, 0, 0, 0}};
  expect_close(values(expm(tensor_of(small, dt()))), flatten(nilpotent_exp(small)), tol());
  // ‖N‖1 = 16 > θ13: the scaling path must still give the exact polynomial.
  const Matrix large{{0, 3, -4, 6}, {0, 0, 5, 2}, {0, 0, 0, -7}, {0, 0, 0, 0}};
  expect_close(values(expm(tensor_of(large, dt()))), flatten(nilpotent_exp(large)), tol() * 10);
}

TEST_P(ExpmBothDtypes, RotationGeneratorGivesARotation) {
  for (double t : {0.3, 2.0, 20.0, 100.0}) {  // 20 and 100: scaling and squaring (2 and 5 squarings)
    const double tolerance = GetParam() == DType::Float32 ? 2e-6 : (t > 50 ? 1e-11 : 1e-12);
    expect_close(values(expm(tensor_of(rotation_generator(t), dt()))), flatten(rotation(t)), tolerance,
                 "t = " + std::to_string(t));
  }
}

TEST_P(ExpmBothDtypes, BatchedMatricesAreIndependent) {
  const std::vector<Matrix> batch{rotation_generator(1.0),  {{2, 0}, {0, 3}}, {{0, 4}, {0, 0}},
                                  rotation_generator(20.0), {{0, 0}, {0, 0}}, {{-1, 0}, {0, 1}}};
  const Tensor x = tensor_of(batch, dt()).view({2, 3, 2, 2});
  const Tensor e = expm(x);
  EXPECT_EQ(e.shape(), (Shape{2, 3, 2, 2}));
  const std::vector<Matrix> expected{rotation(1.0),    {{std::exp(2.0), 0}, {0, std::exp(3.0)}},
                                     {{1, 4}, {0, 1}}, rotation(20.0),
                                     {{1, 0}, {0, 1}}, {{std::exp(-1.0), 0}, {0, std::exp(1.0)}}};
  std::vector<double> flat;
  for (const Matrix& m : expected) {
    const std::vector<double> f = flatten(m);
    flat.insert(flat.end(), f.begin(), f.end());
  }
  expect_close(values(e), flat, tol() * 10);
  // A transposed (non-contiguous) batch: expm(Aᵀ) = expm(A)ᵀ.
  expect_close(values(expm(x.transpose(-1, -2))), values(e.transpose(-1, -2)), tol() * 10);
}

INSTANTIATE_TEST_SUITE_P(tensor_expm, ExpmBothDtypes, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(tensor_Expm, InverseAndCommutingShift) {
  Generator g(8);
  for (double scale : {0.5, 3.0}) {  // ‖A‖1 about 1 and about 9
    const Tensor a = g.uniform({4, 4}, -scale, scale, DType::Float64);
    const Tensor id = matmul(expm(a), expm(neg(a)));
    expect_close(values(id), values(eye(4, DType::Float64)), 1e-12, "expm(A) expm(-A)");
    // A + cI commutes with A: expm(A + cI) = e^c expm(A).
    const Tensor shifted = expm(add(a, mul_scalar(eye(4, DType::Float64), 0.7)));
    expect_close(values(shifted), values(mul_scalar(expm(a), std::exp(0.7))), 1e-12, "shift");
  }
  EXPECT_THROW(expm(zeros({2, 3}, DType::Float64)), std::invalid_argument);
  EXPECT_THROW(expm(zeros({3}, DType::Float64)), std::invalid_argument);
}

// ---- the Fréchet derivative ----

TEST(tensor_ExpmFrechet, DiagonalAHasAClosedForm) {
  // A = diag(a): L(A, E)_ij = E_ij (e^a_i - e^a_j) / (a_i - a_j), or E_ij e^a_i when a_i = a_j.
  const std::vector<double> a{0.5, -1.0, 2.0, 0.5};
  Generator g(3);
  const Tensor e = g.uniform({4, 4}, -1, 1, DType::Float64);
  Tensor am = zeros({4, 4}, DType::Float64);
  am.diagonal().copy_from(from_vector(a, {4}));
  const std::vector<double> ev = values(e);
  std::vector<double> expected;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      expected.push_back(ev[i * 4 + j] *
                         (a[i] == a[j] ? std::exp(a[i]) : (std::exp(a[i]) - std::exp(a[j])) / (a[i] - a[j])));
  expect_close(values(expm_frechet(am, e)), expected, 1e-13);
  // L(A, A) = A expm(A) for any A (A commutes with itself).
  const Tensor r = g.uniform({3, 3}, -1, 1, DType::Float64);
  expect_close(values(expm_frechet(r, r)), values(matmul(r, expm(r))), 1e-13, "L(A, A)");
  expect_close(values(expm_frechet(r, zeros({3, 3}, DType::Float64))), std::vector<double>(9, 0), 0, "L(A, 0)");
  EXPECT_THROW(expm_frechet(r, zeros({2, 2}, DType::Float64)), std::invalid_argument);
}

TEST(tensor_ExpmFrechet, MatchesFiniteDifferencesOfExpm) {
  Generator g(9);
  struct Case {
    Shape shape;
    double scale;
  };
  for (const Case& c : {Case{{4, 4}, 0.5}, Case{{4, 4}, 2.5}, Case{{2, 3, 3}, 4.0}}) {  // the last two: ‖A‖1 > θ13
    const Tensor a = g.uniform(c.shape, -c.scale, c.scale, DType::Float64),
                 e = g.uniform(c.shape, -1, 1, DType::Float64);
    const double h = 1e-6;
    const std::vector<double> plus = values(expm(add(a, mul_scalar(e, h)))),
                              minus = values(expm(sub(a, mul_scalar(e, h))));
    std::vector<double> numeric;
    for (size_t i = 0; i < plus.size(); ++i) numeric.push_back((plus[i] - minus[i]) / (2 * h));
    expect_close(values(expm_frechet(a, e)), numeric, 1e-6, "scale " + std::to_string(c.scale));
  }
}

// ---- log tr expm ----

TEST(tensor_LogTraceExpm, MatchesTheDirectFormulaAndStaysFinite) {
  Generator g(4);
  const Tensor x = g.uniform({2, 3, 3}, -1, 1, DType::Float64);
  expect_close(values(log_trace_expm(x)), values(log(trace(expm(x)))), 1e-13);
  const Tensor big = mul_scalar(eye(3, DType::Float32), 100.0);  // tr expm = 3 e^100, past float32's range
  EXPECT_NEAR(log_trace_expm(big).item(), 100 + std::log(3.0), 1e-4);
  const Tensor nilpotent = from_vector(std::vector<double>{0, 1e6, 0, 0}, {2, 2});  // tr expm = 2 despite a huge entry
  EXPECT_NEAR(log_trace_expm(nilpotent).item(), std::log(2.0), 1e-9);
  // Its gradient: expm(X)ᵀ / tr expm(X).
  const Tensor grad = log_trace_expm_grad(x);
  const Tensor ex = expm(x);
  expect_close(values(grad), values(div(ex.transpose(-1, -2), trace(ex).unsqueeze(-1).unsqueeze(-1))), 1e-13, "grad");
}

}  // namespace
}  // namespace pldr::ops
