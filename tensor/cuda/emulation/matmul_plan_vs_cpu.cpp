// matmul's plan (matmul_plan.h) executed on the CPU by a naive column-major GEMM that does what
// cublasGemmStridedBatchedEx documents (its leading-dimension rules; C = alpha op(A) op(B), beta 0
// as matmul.cu calls it), against pldr::ops::matmul, for transposed, sliced, broadcast and
// permuted operands. Built and run by run.sh.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "tensor/creation.h"
#include "tensor/cuda/matmul_plan.h"
#include "tensor/ops.h"

using namespace pldr;

Tensor rnd(const Shape& s, std::mt19937& g) {
  Tensor t = Tensor::empty(s, DType::Float64);
  std::uniform_real_distribution<double> d(-1, 1);
  double* p = t.data<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = d(g);
  return t;
}

int failures = 0;
Tensor via_plan(const Tensor& a0, const Tensor& b0, double alpha, int* ncalls) {
  const int64_t m = a0.shape()[a0.dim() - 2], k = a0.shape().back(), n = b0.shape().back();
  Shape batch = broadcast_shapes(Shape(a0.shape().begin(), a0.shape().end() - 2),
                                 Shape(b0.shape().begin(), b0.shape().end() - 2));
  Shape as = batch, bs = batch, os = batch;
  as.insert(as.end(), {m, k});
  bs.insert(bs.end(), {k, n});
  os.insert(os.end(), {m, n});
  Tensor a = a0.expand(as), b = b0.expand(bs);
  cuda::MatrixLayout l;
  if (!cuda::matrix_layout(a, &l)) a = a.contiguous();
  if (!cuda::matrix_layout(b, &l)) b = b.contiguous();
  Tensor out = Tensor::empty(os, DType::Float64);
  out.fill(std::nan(""));
  auto calls = cuda::plan_matmul(out, a, b);
  *ncalls = (int)calls.size();
  const double *pa = a.data<double>(), *pb = b.data<double>();
  double* po = out.data<double>();
  for (const auto& c : calls) {
    // cuBLAS's argument rules: lda >= max(1, rows of the stored A), the same for B, ldc >= max(1, m).
    const int64_t need_first = c.transpose_first ? c.k : c.m, need_second = c.transpose_second ? c.n : c.k;
    if (c.ld_first < std::max<int64_t>(1, need_first) || c.ld_second < std::max<int64_t>(1, need_second) ||
        c.ld_out < std::max<int64_t>(1, c.m)) {
      std::printf("  bad ld: %ld/%ld %ld/%ld %ld/%ld\n", c.ld_first, need_first, c.ld_second, need_second, c.ld_out,
                  c.m);
      ++failures;
    }
    for (int64_t i = 0; i < c.count; ++i) {
      const double* A = pb + c.offset_first + i * c.stride_first;    // cuBLAS's A
      const double* B = pa + c.offset_second + i * c.stride_second;  // cuBLAS's B
      double* C = po + c.offset_out + i * c.stride_out;
      for (int64_t col = 0; col < c.n; ++col)
        for (int64_t row = 0; row < c.m; ++row) {
          double s = 0;
          for (int64_t p = 0; p < c.k; ++p) {
            double x = c.transpose_first ? A[p + row * c.ld_first] : A[row + p * c.ld_first];
            double y = c.transpose_second ? B[col + p * c.ld_second] : B[p + col * c.ld_second];
            s += x * y;
          }
          C[row + col * c.ld_out] = alpha * s;
        }
    }
  }
  return out;
}

void check(const char* name, const Tensor& a, const Tensor& b, double alpha = 1.0) {
  int calls = 0;
  Tensor want = ops::matmul(a, b, alpha), got = via_plan(a, b, alpha, &calls);
  auto w = want.to_vector<double>(), g = got.to_vector<double>();
  double err = w.size() == g.size() ? 0 : 1e9;
  for (size_t i = 0; i < w.size() && i < g.size(); ++i)
    err = std::max(err, std::isnan(g[i]) ? 1e9 : std::abs(w[i] - g[i]));
  std::printf("%-40s out %-14s calls %d  max err %.2e %s\n", name, to_string(want.shape()).c_str(), calls, err,
              err < 1e-12 ? "ok" : "FAIL");
  failures += err >= 1e-12;
}

int main() {
  std::mt19937 g(1);
  check("dense 2d", rnd({5, 7}, g), rnd({7, 3}, g));
  check("a transposed", rnd({7, 5}, g).transpose(0, 1), rnd({7, 3}, g));
  check("b transposed", rnd({5, 7}, g), rnd({3, 7}, g).transpose(0, 1));
  check("both transposed", rnd({7, 5}, g).transpose(0, 1), rnd({3, 7}, g).transpose(0, 1));
  check("a column slice (ld > cols)", rnd({5, 10}, g).slice(1, 2, 9), rnd({7, 3}, g));
  check("b sliced then transposed (ld 12)", rnd({5, 7}, g), rnd({3, 12}, g).slice(1, 1, 8).transpose(0, 1));
  check("batched dense", rnd({4, 5, 7}, g), rnd({4, 7, 3}, g));
  check("batched, b shared (fold)", rnd({4, 5, 7}, g), rnd({7, 3}, g));
  check("batched, b shared, a transposed", rnd({4, 7, 5}, g).transpose(1, 2), rnd({7, 3}, g));
  check("batched, a shared", rnd({5, 7}, g), rnd({4, 7, 3}, g));
  check("4d broadcast both ways", rnd({2, 1, 5, 7}, g), rnd({1, 3, 7, 4}, g));
  check("4d, b transposed", rnd({2, 3, 5, 7}, g), rnd({2, 3, 4, 7}, g).transpose(2, 3));
  check("4d, b transposed, alpha 0.125 (scores)", rnd({2, 3, 5, 7}, g), rnd({2, 3, 4, 7}, g).transpose(2, 3), 0.125);
  check("batch axes permuted", rnd({3, 2, 5, 7}, g).permute({1, 0, 2, 3}), rnd({2, 3, 7, 4}, g));
  check("heads transposed (B,S,H,d)->(B,H,S,d)", rnd({2, 6, 3, 4}, g).permute({0, 2, 1, 3}),
        rnd({2, 6, 3, 4}, g).permute({0, 2, 3, 1}));
  check("M = 1", rnd({3, 1, 7}, g), rnd({3, 7, 4}, g));
  check("N = 1", rnd({3, 5, 7}, g), rnd({3, 7, 1}, g));
  check("K = 1", rnd({3, 5, 1}, g), rnd({3, 1, 4}, g));
  check("column vector operand transposed", rnd({7, 1}, g).transpose(0, 1), rnd({1, 7}, g).transpose(0, 1));
  check("size-1 batch axes", rnd({1, 3, 1, 5, 7}, g), rnd({1, 3, 1, 7, 2}, g));
  check("stride-2 columns (copied)", rnd({5, 14}, g).view({5, 7, 2}).select(2, 0), rnd({7, 3}, g));
  check("expanded rows (copied)", rnd({1, 7}, g).expand({5, 7}), rnd({7, 3}, g));
  std::printf("%d failures\n", failures);
  return failures != 0;
}
