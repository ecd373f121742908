// Cross-entropy over logits [rows, V] with int32 targets [rows]; rows whose target is ignore_id
// contribute nothing. loss_r = logsumexp(x_r) - x_r[t_r]; d loss_r / d x_r = softmax(x_r) - onehot(t_r).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/cpu/vector_exp.h"

namespace pldr::cpu {

namespace {
// The row's maximum, and Σ_i exp(x_i - max) (also written to out when out is not null): one
// exp per logit, vectorised for float (tensor/cpu/vector_exp.h). The sum's order is fixed by the
// build's vector width, so a row gives the same bits on every run and for any thread count.
template <class T> T row_max(const T* x, int64_t v) {
  T mx = x[0];
#pragma omp simd reduction(max : mx)
  for (int64_t i = 1; i < v; ++i) mx = x[i] > mx ? x[i] : mx;
  return mx;
}

template <class T> T row_sum_exp(const T* x, int64_t v, T mx, T* out) {
  T total = 0;
  if (out) {
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < v; ++i) total += (out[i] = exp_fast(x[i] - mx));
  } else {
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < v; ++i) total += exp_fast(x[i] - mx);
  }
  return total;
}

void check_target(int32_t t, int64_t v) {
  if (t < 0 || t >= v)
    throw std::out_of_range("cross_entropy: target " + std::to_string(t) + " outside " + std::to_string(v) +
                            " classes");
}
}  // namespace

double cross_entropy_sum(const Tensor& logits, const Tensor& targets, int ignore_id) {
  return dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    const int64_t v = logits.shape().back(), rows = targets.numel();
    const T* px = logits.data<T>();
    const int32_t* pt = targets.data<int32_t>();
    for (int64_t r = 0; r < rows; ++r) check_target(pt[r], v);
    // Per-row losses first, then a sequential sum: the same total whatever the thread count.
    std::vector<double> row_loss(rows, 0.0);
#pragma omp parallel for schedule(static) if (rows * v >= kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      if (pt[r] == ignore_id) continue;
      const T* x = px + r * v;
      const T mx = row_max(x, v);
      row_loss[r] = static_cast<double>(mx + std::log(row_sum_exp(x, v, mx, static_cast<T*>(nullptr))) - x[pt[r]]);
    }
    double total = 0;
    for (double l : row_loss) total += l;
    return total;
  });
}

void cross_entropy_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, double scale) {
  dispatch_floating(logits.dtype(), "cross_entropy_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t v = logits.shape().back(), rows = targets.numel();
    const T* px = logits.data<T>();
    const int32_t* pt = targets.data<int32_t>();
    T* po = out.data<T>();
    const T s = static_cast<T>(scale);
#pragma omp parallel for schedule(static) if (rows * v >= kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      T* o = po + r * v;
      if (pt[r] == ignore_id) {  // out is written in full: it is not zero-filled first
        std::fill(o, o + v, T(0));
        continue;
      }
      const T* x = px + r * v;
      // softmax(x)·s - onehot(t)·s, with each exp taken once: o = exp(x - max), then scaled.
      const T mx = row_max(x, v);
      const T scale = s / row_sum_exp(x, v, mx, o);
#pragma omp simd
      for (int64_t i = 0; i < v; ++i) o[i] *= scale;
      o[pt[r]] -= s;
    }
  });
}

}  // namespace pldr::cpu

namespace pldr::cpu {

void cross_entropy_mean(Tensor& loss, Tensor& counted, const Tensor& logits, const Tensor& targets, int ignore_id) {
  const int32_t* pt = targets.data<int32_t>();
  int64_t n = 0;
  for (int64_t r = 0; r < targets.numel(); ++r) n += pt[r] != ignore_id;
  const double total = cross_entropy_sum(logits, targets, ignore_id);
  *counted.data<int32_t>() = static_cast<int32_t>(n);
  fill(loss, n ? total / double(n) : 0.0);
}

void cross_entropy_mean_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& g,
                             const Tensor& counted) {
  const int32_t n = *counted.data<int32_t>();
  if (n == 0) return fill(out, 0.0);
  const double upstream = dispatch_floating(g.dtype(), "cross_entropy_back",
                                            [&](auto tag) { return static_cast<double>(*g.data<decltype(tag)>()); });
  cross_entropy_back(out, logits, targets, ignore_id, upstream / double(n));
}

void count_correct(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id) {
  Tensor predicted = Tensor::uninitialized(targets.shape(), DType::Int32);
  argmax_rows(predicted, logits, logits.shape().back());
  const int32_t* pp = predicted.data<int32_t>();
  const int32_t* pt = targets.data<int32_t>();
  int64_t counted = 0, correct = 0;
  for (int64_t r = 0; r < targets.numel(); ++r) {
    if (pt[r] == ignore_id) continue;
    ++counted;
    correct += pp[r] == pt[r];
  }
  double* po = out.data<double>();
  po[0] = double(correct);
  po[1] = double(counted);
}

}  // namespace pldr::cpu
