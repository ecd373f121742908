// sample_rows on the GPU: one block per row, restating tensor/sample_row.h in the same double
// arithmetic and the same order, so a seed draws the CPU's tokens. The elementwise steps
// (temperature, the exponentials, the cut-offs) run on all threads; every sum whose order
// decides a rounding (the softmax totals, the cumulative probabilities, the draw's running sum)
// runs on thread 0 in index order, as the CPU loops do. Sorts are a bitonic network over the row
// padded to a power of two with -inf: any correct sort gives the same sorted values.
// Exactness: CUDA's double exp is within 1 ulp, glibc's too but not always the same ulp, so a
// weight may differ in its last bit; a token then differs only when the draw lands within that
// rounding of a boundary between two tokens (or the cumulative mass of top-p equals p there).
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/memory.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

constexpr double kRemoved = -1e10;  // the reference's fill value

int64_t power_of_two_at_least(int64_t n) {
  int64_t p = 1;
  while (p < n) p *= 2;
  return p;
}

// buf[0, n) sorted descending by the whole block, n a power of two.
__device__ void block_sort_descending(double* buf, int64_t n) {
  for (int64_t k = 2; k <= n; k *= 2)
    for (int64_t j = k / 2; j > 0; j /= 2) {
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        const int64_t partner = i ^ j;
        if (partner <= i) continue;
        const double a = buf[i], b = buf[partner];
        if ((i & k) == 0 ? a < b : a > b) {
          buf[i] = b;
          buf[partner] = a;
        }
      }
      __syncthreads();
    }
}

// sorted[0, n) = work[0, V) sorted descending (the padding -inf goes last).
__device__ void sort_copy(double* sorted, const double* work, int64_t V, int64_t n) {
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) sorted[i] = i < V ? work[i] : -math::infinity<double>();
  __syncthreads();
  block_sort_descending(sorted, n);
}

// work[i] = kRemoved where work[i] < threshold.
__device__ void cut_below(double* work, int64_t V, double threshold) {
  for (int64_t i = threadIdx.x; i < V; i += blockDim.x)
    if (work[i] < threshold) work[i] = kRemoved;
  __syncthreads();
}

__device__ void top_k(double* work, double* sorted, int64_t V, int64_t n, int64_t k) {
  if (k <= 0 || k >= V) return;
  sort_copy(sorted, work, V, n);
  cut_below(work, V, sorted[k - 1]);
}

// The cumulative softmax of the sorted row decides the smallest kept logit (sample_row.cpp).
__device__ void top_p(double* work, double* sorted, double* weights, int64_t V, int64_t n, double p,
                      bool keeps_crossing) {
  if (p >= 1.0) return;
  sort_copy(sorted, work, V, n);
  const double mx = sorted[0];
  for (int64_t i = threadIdx.x; i < V; i += blockDim.x) weights[i] = math::exp(sorted[i] - mx);
  __syncthreads();
  __shared__ double threshold;
  if (threadIdx.x == 0) {
    double total = 0;
    for (int64_t i = 0; i < V; ++i) total += weights[i];
    double run = 0;
    int64_t count = 0, first_reaching = V;  // count(c <= p); the first i with c >= p
    for (int64_t i = 0; i < V; ++i) {
      run += weights[i] / total;
      count += run <= p;
      if (first_reaching == V && !(run < p)) first_reaching = i;
    }
    const int64_t last =
        keeps_crossing ? (first_reaching < V - 1 ? first_reaching : V - 1) : (count - 1 > 0 ? count - 1 : 0);
    threshold = sorted[last];
  }
  __syncthreads();
  cut_below(work, V, threshold);
}

// The first maximum of row [0, V): each thread's first best, then a tree in fixed order.
template <class T> __device__ int64_t block_first_max(const T* row, int64_t V) {
  __shared__ double values[kMaxRowThreads];
  __shared__ int64_t indices[kMaxRowThreads];
  double best = -math::infinity<double>();
  int64_t at = V;
  for (int64_t i = threadIdx.x; i < V; i += blockDim.x)
    if (static_cast<double>(row[i]) > best || at == V) {
      best = static_cast<double>(row[i]);
      at = i;
    }
  values[threadIdx.x] = best;
  indices[threadIdx.x] = at;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) {
      const double v = values[threadIdx.x + half];
      const int64_t i = indices[threadIdx.x + half];
      if (i < V && (indices[threadIdx.x] == V || v > values[threadIdx.x] ||
                    (v == values[threadIdx.x] && i < indices[threadIdx.x]))) {
        values[threadIdx.x] = v;
        indices[threadIdx.x] = i;
      }
    }
    __syncthreads();
  }
  const int64_t first = indices[0];
  __syncthreads();  // the next call reuses the shared arrays
  return first;
}

// scratch per row: work [V], sorted [n], weights [n].
template <class T> __global__ void sample_rows_kernel(int32_t* out, const T* logits, const double* uniforms,
                                                      SampleRule rule, double* scratch, int64_t rows, int64_t V,
                                                      int64_t n) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = logits + r * V;
    double nans = 0;
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) nans += row[i] != row[i];
    if (block_sum(nans) > 0) {
      if (threadIdx.x == 0) out[r] = -1;
      continue;
    }
    if (rule.greedy) {
      const int64_t at = block_first_max(row, V);
      if (threadIdx.x == 0) out[r] = static_cast<int32_t>(at);
      continue;
    }
    double* work = scratch + r * (V + 2 * n);
    double* sorted = work + V;
    double* weights = sorted + n;
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) work[i] = static_cast<double>(row[i]) / rule.temperature;
    __syncthreads();
    if (!rule.nucleus_keeps_crossing) {
      top_p(work, sorted, weights, V, n, rule.top_p, false);
      top_k(work, sorted, V, n, rule.top_k);
    } else {
      top_k(work, sorted, V, n, rule.top_k);
      top_p(work, sorted, weights, V, n, rule.top_p, true);
    }
    double mx = -math::infinity<double>();
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) mx = math::max_of(mx, work[i]);
    mx = block_max(mx);
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) weights[i] = math::exp(work[i] - mx);
    __syncthreads();
    if (threadIdx.x == 0) {
      double total = 0;
      for (int64_t i = 0; i < V; ++i) total += weights[i];
      const double u = uniforms[r] * total;
      double run = 0;
      int64_t token = -1;
      for (int64_t i = 0; i < V && token < 0; ++i)
        if ((run += weights[i]) > u) token = i;
      if (token < 0) {  // rounding left u beyond the last sum: the heaviest token, as the CPU
        token = 0;
        for (int64_t i = 1; i < V; ++i)
          if (weights[i] > weights[token]) token = i;
      }
      out[r] = static_cast<int32_t>(token);
    }
    __syncthreads();  // the next row's block sums reuse shared memory
  }
}

}  // namespace

void sample_rows(Tensor& out, const Tensor& logits_in, const Tensor& uniforms, const SampleRule& rule) {
  const Tensor logits = dense_input(logits_in);
  const int64_t rows = out.numel(), V = logits.shape().back();
  if (rows == 0) return;
  const int64_t n = power_of_two_at_least(V);
  const size_t scratch_bytes = rule.greedy ? 0 : sizeof(double) * size_t(rows) * size_t(V + 2 * n);
  double* scratch = static_cast<double*>(allocate(scratch_bytes));
  dispatch_floating(logits.dtype(), "sample_rows", [&](auto tag) {
    using T = decltype(tag);
    sample_rows_kernel<T><<<row_blocks(rows), row_threads(V), 0, stream()>>>(
        out.data<int32_t>(), logits.data<T>(), rule.greedy ? nullptr : uniforms.data<double>(), rule, scratch, rows, V,
        n);
    PLDR_CUDA_CHECK_LAUNCH("sample_rows");
  });
  release(scratch, scratch_bytes);  // stream-ordered reuse: safe to hand back now (memory.h)
}

}  // namespace pldr::cuda
