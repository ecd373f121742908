// bench_decode: the weight-bound part of one generated token of the paper's 110M shape, in
// float32, in bfloat16 and with int8 weights (tensor/int8_matrix.h), next to the machine's read bandwidth measured in
// the same run, as one JSON report.
//
// A decode step multiplies one token's row by every weight matrix of the model: per layer the
// attention projections q, k, v and the output (d x d each) and the SwiGLU feed-forward (gate and
// up, f x d; down, d x f), then the output head (V x d); d = 896 (14 heads of 64), f = floor(8d/3)
// = 2389, 5 layers, V = 32000. At batch 1 these products read each weight once and do 2 flops
// per element read, so the step is bound by the bytes of the weights: bytes_per_token. Their
// time here is the floor of a generated token's time; the attention over the cache, PLGA's
// metric and the small ops come on top (they read far less).
//   read_bandwidth: a parallel sum over a 1 GiB float buffer (the fastest the weights can come in),
//   measured before and after the products; the report keeps the higher.
// Every time is the fastest of --reps runs (the least disturbed on a shared machine).
//   per dtype: ms per token, tokens/s, achieved GB/s = bytes_per_token / time, and
//   that as a fraction of read_bandwidth.
//
//   bench_decode [--reps 20] [--layers 5] [-o report.json]
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/timing.h"
#include "tensor/creation.h"
#include "tensor/int8_matrix.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

using namespace pldr;

// The fastest of reps runs after a warm-up: on a shared machine, the least disturbed one.
template <class F> double best_ms(int reps, F&& f) {
  const std::vector<double> ms = bench::run_ms(reps, f);
  return *std::min_element(ms.begin(), ms.end());
}

__attribute__((noinline)) float parallel_sum(const float* p, int64_t n) {
  float total = 0;
#pragma omp parallel for simd reduction(+ : total) schedule(static)
  for (int64_t i = 0; i < n; ++i) total += p[i];
  return total;
}

double read_bandwidth_gbs(int reps) {
  const int64_t n = int64_t(1) << 28;  // 1 GiB of floats
  std::vector<float> buffer(n, 1.0f);
  double sink = 0;
  const double ms = best_ms(reps, [&] { sink += parallel_sum(buffer.data(), n); });
  if (sink < 0) std::printf("%g", sink);  // keeps the sums
  return double(n) * sizeof(float) / (ms * 1e6);
}

struct Weights {
  std::vector<Tensor> transposed;  // each W [out, in] as the Linear layer uses it: Wᵀ, a view
  std::vector<Tensor> inputs;      // one row [1, 1, in] per weight
  double bytes = 0;
};

Weights make_weights(int64_t layers, DType dtype) {
  const int64_t d = 896, f = 8 * d / 3, vocab = 32000;
  std::vector<std::pair<int64_t, int64_t>> shapes;  // (out, in)
  for (int64_t l = 0; l < layers; ++l) {
    for (int i = 0; i < 4; ++i) shapes.push_back({d, d});
    shapes.push_back({f, d});
    shapes.push_back({f, d});
    shapes.push_back({d, f});
  }
  shapes.push_back({vocab, d});
  Generator gen(11);
  Weights w;
  for (auto [out, in] : shapes) {
    w.transposed.push_back(gen.uniform({out, in}, -0.05, 0.05, dtype).transpose(0, 1));
    w.inputs.push_back(gen.uniform({1, 1, in}, -1, 1, dtype));
    w.bytes += double(out * in) * double(dtype_size(dtype));
  }
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 20;
  int64_t layers = 5;
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "bench_decode: " << a << " needs a value\n";
      return 2;
    }
    if (a == "--reps") reps = std::stoi(argv[++i]);
    else if (a == "--layers") layers = std::stoll(argv[++i]);
    else if (a == "-o") output = argv[++i];
    else {
      std::cerr << "bench_decode: unknown argument " << a << "\n";
      return 2;
    }
  }
  nlohmann::json j;
  j["bench"] = "decode";
  j["shape"] = {{"hidden", 896}, {"intermediate", 8 * 896 / 3}, {"layers", layers}, {"vocab", 32000}};
#ifdef _OPENMP
  j["threads"] = omp_get_max_threads();
#endif
  const double bandwidth_before = read_bandwidth_gbs(reps);
  double ms_f32 = 0;
  nlohmann::json measured;
  for (DType dtype : {DType::Float32, DType::BFloat16}) {
    const Weights w = make_weights(layers, dtype);
    const double ms = best_ms(reps, [&] {
      for (size_t i = 0; i < w.transposed.size(); ++i) ops::matmul(w.inputs[i], w.transposed[i]);
    });
    if (dtype == DType::Float32) ms_f32 = ms;
    measured[dtype_name(dtype)] = {{"bytes_per_token", w.bytes},
                                   {"ms_per_token", ms},
                                   {"tokens_per_s", 1e3 / ms},
                                   {"achieved_gbs", w.bytes / (ms * 1e6)},
                                   {"speedup_vs_float32", ms_f32 / ms}};
  }
  {  // int8 weights with a float32 scale per row (docs/int8.md), float32 activations
    const Weights w = make_weights(layers, DType::Float32);
    std::vector<Int8Matrix> q;
    double bytes = 0;
    for (const Tensor& t : w.transposed) {
      q.push_back(Int8Matrix::quantize(t.transpose(0, 1)));
      bytes += double(q.back().bytes());
    }
    const double ms = best_ms(reps, [&] {
      for (size_t i = 0; i < q.size(); ++i) int8_linear(w.inputs[i], q[i], Tensor());
    });
    measured["int8"] = {{"bytes_per_token", bytes},
                        {"ms_per_token", ms},
                        {"tokens_per_s", 1e3 / ms},
                        {"achieved_gbs", bytes / (ms * 1e6)},
                        {"speedup_vs_float32", ms_f32 / ms}};
  }
  const double bandwidth = std::max(bandwidth_before, read_bandwidth_gbs(reps));
  j["read_bandwidth_gbs"] = bandwidth;
  for (auto& [name, m] : measured.items()) {
    m["fraction_of_read_bandwidth"] = m["achieved_gbs"].get<double>() / bandwidth;
    j[name] = m;
  }
  const std::string text = j.dump(2);
  if (output.empty()) std::cout << text << "\n";
  else std::ofstream(output) << text << "\n";
  return 0;
}
