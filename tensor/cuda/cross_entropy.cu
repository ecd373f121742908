// Cross-entropy over logits [rows, V] with int32 targets [rows]; rows whose target is ignore_id
// contribute nothing. loss_r = logsumexp(x_r) - x_r[t_r]; d loss_r / d x_r = softmax(x_r) - onehot(t_r).
//
// One block per row: the row's max and sum of exp are block-wide reductions in a fixed order (in
// T, as the CPU kernel). The forward writes each row's loss (double) and then one block adds
// them in a fixed order, so the total repeats bit for bit. As on the CPU, every target must lie
// in [0, V), ignored ones included; a bad one is recorded and thrown by cross_entropy_sum.
#include <algorithm>
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

constexpr int kSumThreads = 1024;

template <class T> __device__ T row_logsumexp(const T* x, int64_t v) {
  T mx = -math::infinity<T>();
  for (int64_t i = threadIdx.x; i < v; i += blockDim.x) mx = math::max_of(mx, x[i]);
  mx = block_max(mx);
  T total = 0;
  for (int64_t i = threadIdx.x; i < v; i += blockDim.x) total += math::exp(x[i] - mx);
  return mx + math::log(block_sum(total));
}

template <class T> __global__ void row_loss_kernel(double* row_loss, const T* logits, const int32_t* targets,
                                                   int64_t rows, int64_t v, int ignore_id, KernelErrorRecord* error) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int32_t t = targets[r];
    if (t < 0 || t >= v) {
      if (threadIdx.x == 0) {
        record_kernel_error(error, KernelErrorKind::CrossEntropyTarget, t, v);
        row_loss[r] = 0;
      }
      continue;
    }
    if (t == ignore_id) {
      if (threadIdx.x == 0) row_loss[r] = 0;
      continue;
    }
    const T* x = logits + r * v;
    const T lse = row_logsumexp(x, v);
    if (threadIdx.x == 0) row_loss[r] = static_cast<double>(lse - x[t]);
  }
}

// One block: *total = the sum of row_loss, each thread summing a strided subset in order, then
// the block's tree.
__global__ void sum_kernel(double* total, const double* row_loss, int64_t rows) {
  double acc = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) acc += row_loss[r];
  acc = block_sum(acc);
  if (threadIdx.x == 0) *total = acc;
}

// Where cross_entropy_back_kernel gets its scale: a number from the host, or
// double(*g) / double(*counted) read on the device (cross_entropy_mean_back; none when counted = 0).
template <class T> struct HostScale {
  T value;
  __device__ bool get(T& s) const {
    s = value;
    return true;
  }
};
template <class T> struct MeanScale {
  const T* g;
  const int32_t* counted;
  __device__ bool get(T& s) const {
    if (*counted == 0) return false;
    s = static_cast<T>(static_cast<double>(*g) / static_cast<double>(*counted));
    return true;
  }
};

template <class T, class Scale>
__global__ void cross_entropy_back_kernel(T* out, const T* logits, const int32_t* targets, int64_t rows, int64_t v,
                                          int ignore_id, Scale source, KernelErrorRecord* error) {
  T scale = 0;
  const bool any = source.get(scale);
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    T* o = out + r * v;
    const int32_t t = targets[r];
    const bool bad = t < 0 || t >= v;
    if (bad && threadIdx.x == 0) record_kernel_error(error, KernelErrorKind::CrossEntropyTarget, t, v);
    if (bad || t == ignore_id || !any) {
      for (int64_t i = threadIdx.x; i < v; i += blockDim.x) o[i] = T(0);
      continue;
    }
    const T* x = logits + r * v;
    const T lse = row_logsumexp(x, v);
    for (int64_t i = threadIdx.x; i < v; i += blockDim.x) {
      T value = math::exp(x[i] - lse) * scale;
      if (i == t) value -= scale;  // two roundings, as the CPU's o[t] -= s after the loop
      o[i] = value;
    }
  }
}

// One block: *loss = T(Σ row_loss / counted) (the sum as sum_kernel's), 0 when no row counts;
// *counted = rows whose target is not ignore_id.
template <class T> __global__ void mean_kernel(T* loss, int32_t* counted, const double* row_loss,
                                               const int32_t* targets, int64_t rows, int ignore_id) {
  double acc = 0;
  long long n = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    acc += row_loss[r];
    n += targets[r] != ignore_id;
  }
  acc = block_sum(acc);
  n = block_sum(n);
  if (threadIdx.x == 0) {
    *counted = static_cast<int32_t>(n);
    *loss = n ? static_cast<T>(acc / static_cast<double>(n)) : T(0);
  }
}

// One block: out = {rows counted whose prediction equals the target, rows counted}.
__global__ void count_correct_kernel(double* out, const int32_t* predicted, const int32_t* targets, int64_t rows,
                                     int ignore_id) {
  long long correct = 0, counted = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    if (targets[r] == ignore_id) continue;
    ++counted;
    correct += predicted[r] == targets[r];
  }
  correct = block_sum(correct);
  counted = block_sum(counted);
  if (threadIdx.x == 0) {
    out[0] = static_cast<double>(correct);
    out[1] = static_cast<double>(counted);
  }
}

// Queues the row losses of logits/targets (dense) into row_loss [rows] (doubles).
void queue_row_losses(double* row_loss, const Tensor& logits, const Tensor& targets, int ignore_id) {
  const int64_t v = logits.shape().back(), rows = targets.numel();
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    row_loss_kernel<T><<<row_blocks(rows), row_threads(v), 0, stream()>>>(
        row_loss, logits.data<T>(), targets.data<int32_t>(), rows, v, ignore_id, kernel_error_record());
    PLDR_CUDA_CHECK_LAUNCH("cross_entropy");
  });
}

template <class T, class Scale>
void queue_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, Scale source) {
  const int64_t v = logits.shape().back(), rows = targets.numel();
  cross_entropy_back_kernel<T><<<row_blocks(rows), row_threads(v), 0, stream()>>>(
      out.data<T>(), logits.data<T>(), targets.data<int32_t>(), rows, v, ignore_id, source, kernel_error_record());
  PLDR_CUDA_CHECK_LAUNCH("cross_entropy_back");
}

}  // namespace

double cross_entropy_sum(const Tensor& logits_in, const Tensor& targets_in, int ignore_id) {
  const Tensor logits = dense_input(logits_in), targets = dense_input(targets_in);
  const int64_t rows = targets.numel();
  if (rows == 0) return 0.0;
  const size_t loss_bytes = sizeof(double) * size_t(rows + 1);  // row losses, then the total
  double* losses = static_cast<double*>(allocate(loss_bytes));
  queue_row_losses(losses, logits, targets, ignore_id);
  sum_kernel<<<1, kSumThreads, 0, stream()>>>(losses + rows, losses, rows);
  PLDR_CUDA_CHECK_LAUNCH("cross_entropy_sum");
  double total = 0;
  try {
    copy_to_host(&total, losses + rows, sizeof(double));  // waits, and throws a recorded bad target
  } catch (...) {
    release(losses, loss_bytes);
    throw;
  }
  release(losses, loss_bytes);
  return total;
}

void cross_entropy_back(Tensor& out, const Tensor& logits_in, const Tensor& targets_in, int ignore_id, double scale) {
  const Tensor logits = dense_input(logits_in), targets = dense_input(targets_in);
  if (targets.numel() == 0 || logits.shape().back() == 0) return;
  dispatch_floating(logits.dtype(), "cross_entropy_back", [&](auto tag) {
    using T = decltype(tag);
    queue_back<T>(out, logits, targets, ignore_id, HostScale<T>{static_cast<T>(scale)});
  });
}

void cross_entropy_mean(Tensor& loss, Tensor& counted, const Tensor& logits_in, const Tensor& targets_in,
                        int ignore_id) {
  const Tensor logits = dense_input(logits_in), targets = dense_input(targets_in);
  const int64_t rows = targets.numel();
  const size_t loss_bytes = sizeof(double) * size_t(std::max<int64_t>(rows, 1));
  double* losses = static_cast<double*>(allocate(loss_bytes));
  if (rows > 0) queue_row_losses(losses, logits, targets, ignore_id);
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    mean_kernel<T><<<1, kSumThreads, 0, stream()>>>(loss.data<T>(), counted.data<int32_t>(), losses,
                                                    targets.data<int32_t>(), rows, ignore_id);
    PLDR_CUDA_CHECK_LAUNCH("cross_entropy_mean");
  });
  release(losses, loss_bytes);  // safe: later users of the block queue behind mean_kernel (memory.h)
}

void cross_entropy_mean_back(Tensor& out, const Tensor& logits_in, const Tensor& targets_in, int ignore_id,
                             const Tensor& g, const Tensor& counted) {
  const Tensor logits = dense_input(logits_in), targets = dense_input(targets_in);
  if (targets.numel() == 0 || logits.shape().back() == 0) return;
  dispatch_floating(logits.dtype(), "cross_entropy_back", [&](auto tag) {
    using T = decltype(tag);
    queue_back<T>(out, logits, targets, ignore_id, MeanScale<T>{g.data<T>(), counted.data<int32_t>()});
  });
}

void count_correct(Tensor& out, const Tensor& logits_in, const Tensor& targets_in, int ignore_id) {
  const Tensor logits = dense_input(logits_in), targets = dense_input(targets_in);
  const int64_t rows = targets.numel();
  Tensor predicted = Tensor::uninitialized(targets.shape(), DType::Int32, Device::CUDA);
  if (rows > 0) argmax_rows(predicted, logits, logits.shape().back());
  count_correct_kernel<<<1, kSumThreads, 0, stream()>>>(out.data<double>(), predicted.data<int32_t>(),
                                                        targets.data<int32_t>(), rows, ignore_id);
  PLDR_CUDA_CHECK_LAUNCH("count_correct");
}

}  // namespace pldr::cuda
