// bench_loss: the training step's loss over the 32k vocabulary, as one JSON report.
//
// Times, on logits [rows, vocab] (default 512 x 32000: the bench-small shape's batch 4 x 128):
//   ours_float32 / ours_bfloat16: cross-entropy forward + backward through the tape, and
//     count_correct, as the trainer runs them (pldr/losses.cpp);
//   libm_baseline_float32: the same loss and gradient the way the CPU kernel computed them
//     before the vectorised exp (scalar libm expf; the forward's logsumexp, then the backward's
//     logsumexp and exp again), kept here as the "before" of the same run;
//   exp_per_element: ns per element of the vectorised float exp and of libm's expf.
// Medians over --reps repetitions after one warm-up. Freed memory is kept for reuse, as in the
// pldr tool (tensor/memory_policy.h), so the timings are a training step's, not page faults'.
//
//   bench_loss [--rows 512] [--vocab 32000] [--reps 15] [-o report.json]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "autograd/ops.h"
#include "bench/timing.h"
#include "tensor/cpu/vector_exp.h"
#include "tensor/creation.h"
#include "tensor/memory_policy.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

using namespace pldr;

template <class F> double median_ms(int reps, F&& f) { return bench::median(bench::run_ms(reps, f)); }

// The previous kernels' arithmetic (before vector_exp.h): scalar expf, the row's logsumexp in
// the forward and again in the backward, then one more exp per logit for the gradient.
float logsumexp_libm(const float* x, int64_t v) {
  float mx = x[0];
  for (int64_t i = 1; i < v; ++i) mx = x[i] > mx ? x[i] : mx;
  float total = 0;
  for (int64_t i = 0; i < v; ++i) total += std::exp(x[i] - mx);
  return mx + std::log(total);
}

double libm_baseline(const std::vector<float>& logits, const std::vector<int32_t>& targets, int64_t v,
                     std::vector<float>& grad) {
  const int64_t rows = static_cast<int64_t>(targets.size());
  std::vector<double> loss(rows);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) loss[r] = logsumexp_libm(&logits[r * v], v) - logits[r * v + targets[r]];
  const float s = 1.0f / float(rows);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = &logits[r * v];
    float* o = &grad[r * v];
    const float lse = logsumexp_libm(x, v);
    for (int64_t i = 0; i < v; ++i) o[i] = std::exp(x[i] - lse) * s;
    o[targets[r]] -= s;
  }
  double total = 0;
  for (double l : loss) total += l;
  return total / double(rows);
}

double ours(const Tensor& logits, const Tensor& targets) {
  ag::Variable x(logits, true);
  ag::Variable loss = ag::cross_entropy(x, targets, -1);
  ops::count_correct(logits, targets, -1);
  loss.backward();
  return loss.value().item();
}

__attribute__((noinline)) void exp_poly_rows(const float* x, float* y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = cpu::exp_poly(x[i]);
}
__attribute__((noinline)) void exp_libm_rows(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

}  // namespace

int main(int argc, char** argv) {
  retain_freed_memory();
  int64_t rows = 512, vocab = 32000;
  int reps = 15;
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench_loss: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows") rows = std::stoll(next());
    else if (a == "--vocab") vocab = std::stoll(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "-o") output = next();
    else {
      std::cerr << "bench_loss: unknown argument " << a << "\n";
      return 2;
    }
  }
  Generator gen(7);
  const Tensor logits = gen.normal({rows, vocab}, 0, 2, DType::Float32);
  std::vector<int32_t> t;
  for (double u : gen.uniform({rows}, 0, double(vocab), DType::Float64).to_vector<double>()) t.push_back(int32_t(u));
  const Tensor targets = from_vector(t, {rows}, DType::Int32);
  const Tensor logits_bf16 = logits.to(DType::BFloat16);

  const std::vector<float> flat = logits.to_vector<float>();
  std::vector<float> grad(flat.size());
  double loss_ours = 0, loss_base = 0;
  const double ms_ours = median_ms(reps, [&] { loss_ours = ours(logits, targets); });
  const double ms_bf16 = median_ms(reps, [&] { ours(logits_bf16, targets); });
  const double ms_base = median_ms(reps, [&] { loss_base = libm_baseline(flat, t, vocab, grad); });

  const int64_t n = rows * vocab;
  std::vector<float> x(n), y(n);
  for (int64_t i = 0; i < n; ++i) x[i] = -20.0f * float(i % 1000) / 1000.0f;
  const double ns_poly = median_ms(reps, [&] { exp_poly_rows(x.data(), y.data(), n); }) * 1e6 / double(n);
  const double ns_libm = median_ms(reps, [&] { exp_libm_rows(x.data(), y.data(), n); }) * 1e6 / double(n);

  nlohmann::json j;
  j["bench"] = "loss";
  j["rows"] = rows;
  j["vocab"] = vocab;
  j["reps"] = reps;
#ifdef _OPENMP
  j["threads"] = omp_get_max_threads();
#endif
  j["ms"] = {{"ours_float32", ms_ours}, {"ours_bfloat16", ms_bf16}, {"libm_baseline_float32", ms_base}};
  j["speedup_float32_vs_baseline"] = ms_base / ms_ours;
  j["loss"] = {{"ours_float32", loss_ours}, {"libm_baseline_float32", loss_base}};
  j["exp_ns_per_element"] = {{"vectorised", ns_poly}, {"libm_expf", ns_libm}};
  const std::string text = j.dump(2);
  if (output.empty()) std::cout << text << "\n";
  else std::ofstream(output) << text << "\n";
  return 0;
}
