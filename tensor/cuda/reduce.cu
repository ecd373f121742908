// Reductions: rows (one block per row, a block-wide tree; long rows in two passes), columns (one thread per column,
// two passes over fixed row chunks when there are many rows) and argmax (one block per row).
// Sums accumulate in double like the CPU kernels; every order is fixed, so results repeat bit
// for bit.
#include <algorithm>
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/reduce.cuh"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

// Rows longer than this are reduced in two passes: chunks of this many elements by separate
// blocks into partial results, then each row's partials in order. Fixed, so the result does not
// depend on the device; it keeps a few long rows (a global norm) from running on a few blocks.
constexpr int64_t kRowChunk = int64_t(1) << 16;

// out[r * chunks + c] = sum (in double) or max of elements [c * chunk, (c + 1) * chunk) of row r,
// chunks = ceil(inner / chunk) (one when the row is empty); one block per (row, chunk).
template <class Out, class In>
__global__ void reduce_rows_kernel(bool sum, Out* out, const In* x, int64_t rows, int64_t inner, int64_t chunk) {
  const int64_t chunks = inner == 0 ? 1 : (inner + chunk - 1) / chunk;
  for (int64_t item = blockIdx.x; item < rows * chunks; item += gridDim.x) {
    const int64_t r = item / chunks, c = item % chunks;
    const In* row = x + r * inner;
    const int64_t end = ::min(inner, (c + 1) * chunk);
    if (sum) {
      double acc = 0;
      for (int64_t i = c * chunk + threadIdx.x; i < end; i += blockDim.x) acc += row[i];
      acc = block_sum(acc);
      if (threadIdx.x == 0) out[item] = static_cast<Out>(acc);
    } else {
      In best = -math::infinity<In>();
      for (int64_t i = c * chunk + threadIdx.x; i < end; i += blockDim.x) best = math::max_of(best, row[i]);
      best = block_max(best);
      if (threadIdx.x == 0) out[item] = static_cast<Out>(best);
    }
  }
}

// out[c * cols + j] = op over the rows of chunk c (chunk_rows of them, fewer in the last chunk)
// of in[r * cols + j], accumulated in Acc in row order; one thread per (chunk, column). With one
// chunk of all rows this is the whole reduction. No rows make one chunk holding the identity.
template <class Out, class In, class Acc>
__global__ void column_chunks_kernel(bool sum, Out* out, const In* in, int64_t rows, int64_t cols, int64_t chunk_rows) {
  const int64_t chunks = rows == 0 ? 1 : (rows + chunk_rows - 1) / chunk_rows;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < chunks * cols;
       t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = t / cols, j = t % cols;
    const int64_t end = ::min(rows, (c + 1) * chunk_rows);
    Acc acc = sum ? Acc(0) : -math::infinity<Acc>();
    for (int64_t r = c * chunk_rows; r < end; ++r) {
      const Acc v = static_cast<Acc>(in[r * cols + j]);
      acc = sum ? acc + v : math::max_of(acc, v);
    }
    out[t] = static_cast<Out>(acc);
  }
}

// Index of the first maximum of each row, as the CPU kernel: NaNs never win, except that a NaN
// in the first element stays the answer (the CPU loop compares against it and nothing beats it).
template <class T> __global__ void argmax_rows_kernel(int32_t* out, const T* x, int64_t rows, int64_t inner) {
  __shared__ T best_values[kMaxRowThreads];
  __shared__ int64_t best_indices[kMaxRowThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = x + r * inner;
    T best = -math::infinity<T>();
    int64_t best_index = inner;  // none yet
    for (int64_t i = threadIdx.x; i < inner; i += blockDim.x)
      if (row[i] > best || (row[i] == best && best_index == inner)) {
        best = row[i];
        best_index = i;
      }
    best_values[threadIdx.x] = best;
    best_indices[threadIdx.x] = best_index;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {  // a tree in fixed order
      if (threadIdx.x < half) {
        const T v = best_values[threadIdx.x + half];
        const int64_t i = best_indices[threadIdx.x + half];
        if (v > best_values[threadIdx.x] || (v == best_values[threadIdx.x] && i < best_indices[threadIdx.x])) {
          best_values[threadIdx.x] = v;
          best_indices[threadIdx.x] = i;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      const bool first_is_nan = inner > 0 && row[0] != row[0];
      out[r] = static_cast<int32_t>(first_is_nan || best_indices[0] == inner ? 0 : best_indices[0]);
    }
    __syncthreads();  // the next row reuses the shared arrays
  }
}

}  // namespace

template <class T, class Acc>
void reduce_columns_in_order(ReduceOp op, T* out, const Acc* in, int64_t rows, int64_t cols) {
  if (cols == 0) return;
  column_chunks_kernel<T, Acc, Acc><<<element_blocks(cols), kElementThreads, 0, stream()>>>(
      op == ReduceOp::Sum, out, in, rows, cols, std::max<int64_t>(rows, 1));
  PLDR_CUDA_CHECK_LAUNCH("reduce_columns");
}

template void reduce_columns_in_order<float, float>(ReduceOp, float*, const float*, int64_t, int64_t);
template void reduce_columns_in_order<double, double>(ReduceOp, double*, const double*, int64_t, int64_t);
template void reduce_columns_in_order<float, double>(ReduceOp, float*, const double*, int64_t, int64_t);

void reduce_rows(ReduceOp op, Tensor& out, const Tensor& x_in, int64_t inner) {
  const Tensor x = dense_input(x_in);
  const int64_t rows = out.numel();
  if (rows == 0) return;
  const bool sum = op == ReduceOp::Sum;
  dispatch_floating(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    if (inner <= kRowChunk) {
      reduce_rows_kernel<T, T><<<row_blocks(rows), row_threads(inner), 0, stream()>>>(
          sum, out.data<T>(), x.data<T>(), rows, inner, std::max<int64_t>(inner, 1));
      PLDR_CUDA_CHECK_LAUNCH("reduce_rows");
      return;
    }
    // Pass one: chunks into partials (doubles: the sum's accumulator; a max is exact in them).
    const int64_t chunks = (inner + kRowChunk - 1) / kRowChunk;
    const size_t partial_bytes = sizeof(double) * size_t(rows * chunks);
    double* partial = static_cast<double*>(allocate(partial_bytes));
    reduce_rows_kernel<double, T>
        <<<row_blocks(rows * chunks), kMaxRowThreads, 0, stream()>>>(sum, partial, x.data<T>(), rows, inner, kRowChunk);
    PLDR_CUDA_CHECK_LAUNCH("reduce_rows");
    // Pass two: each row's partials, in chunk order.
    reduce_rows_kernel<T, double>
        <<<row_blocks(rows), row_threads(chunks), 0, stream()>>>(sum, out.data<T>(), partial, rows, chunks, chunks);
    PLDR_CUDA_CHECK_LAUNCH("reduce_rows");
    release(partial, partial_bytes);
  });
}

void reduce_columns(ReduceOp op, Tensor& out, const Tensor& x_in, int64_t rows) {
  const Tensor x = dense_input(x_in);
  const int64_t cols = out.numel();
  if (cols == 0) return;
  const bool sum = op == ReduceOp::Sum;
  dispatch_floating(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    // Pass one: each chunk of rows into a partial row of doubles (the CPU kernel's accumulator).
    const int64_t chunks = std::max<int64_t>(1, (rows + kColumnChunkRows - 1) / kColumnChunkRows);  // 1 when rows == 0
    const size_t partial_bytes = sizeof(double) * size_t(chunks * cols);
    double* partial = static_cast<double*>(allocate(partial_bytes));
    column_chunks_kernel<double, T, double><<<element_blocks(chunks * cols), kElementThreads, 0, stream()>>>(
        sum, partial, x.data<T>(), rows, cols, kColumnChunkRows);
    PLDR_CUDA_CHECK_LAUNCH("reduce_columns");
    // Pass two: the partial rows in chunk order.
    reduce_columns_in_order<T, double>(op, out.data<T>(), partial, chunks, cols);
    release(partial, partial_bytes);  // stream-ordered reuse: safe to hand back now (memory.h)
  });
}

void argmax_rows(Tensor& out, const Tensor& x_in, int64_t inner) {
  const Tensor x = dense_input(x_in);
  const int64_t rows = out.numel();
  if (rows == 0) return;
  dispatch_floating(x.dtype(), "argmax", [&](auto tag) {
    using T = decltype(tag);
    argmax_rows_kernel<T>
        <<<row_blocks(rows), row_threads(inner), 0, stream()>>>(out.data<int32_t>(), x.data<T>(), rows, inner);
    PLDR_CUDA_CHECK_LAUNCH("argmax_rows");
  });
}

}  // namespace pldr::cuda
