// Matrix exponential of batches of small matrices by scaling and squaring with the [13/13] Padé
// approximant (Higham 2005, Algorithm 2.3), in double precision for every dtype: the algorithm
// of tensor/cpu/expm.cpp step for step, including the Fréchet derivative through the 2N x 2N
// block matrix and log tr expm with the squaring phase renormalised.
//
// One block of kExpmThreads threads per matrix (blocks loop over the batch), with its matrices in
// a global-memory workspace of 7 N x N doubles (L2-resident for the model's N = dk = 64). Every
// step is block-parallel over matrix elements, then __syncthreads: products (each thread a set
// of output elements, summed over k in order), elementwise combinations, column-sum norms and
// maxima (fixed-order block reductions), and the Padé solve (V - U) X = V + U by LU with partial
// pivoting (first largest pivot, as Eigen) with the row operations applied to the right-hand
// side. All orders are fixed, so results repeat bit for bit; they differ from Eigen's in
// rounding only.
#include <algorithm>
#include <cstdint>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

constexpr int kExpmThreads = 256;
constexpr int kWorkspaceMatrices = 7;
constexpr double kTheta13 = 5.371920351148152;  // ‖A‖1 bound for r13 at double precision
__constant__ double kPade13[14] = {64764752532480000.0,
                                   32382376266240000.0,
                                   7771770303897600.0,
                                   1187353796428800.0,
                                   129060195264000.0,
                                   10559470521600.0,
                                   670442572800.0,
                                   33522128640.0,
                                   1323241920.0,
                                   40840800.0,
                                   960960.0,
                                   16380.0,
                                   182.0,
                                   1.0};

// A block's seven n x n row-major scratch matrices.
struct Workspace {
  double *a, *a2, *a4, *a6, *t, *u, *v;
};

__device__ Workspace carve(double* base, int64_t n) {
  const int64_t nn = n * n;
  return Workspace{base, base + nn, base + 2 * nn, base + 3 * nn, base + 4 * nn, base + 5 * nn, base + 6 * nn};
}

// c = a b (c must not alias a or b).
__device__ void multiply(double* c, const double* a, const double* b, int64_t n) {
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) {
    const int64_t i = e / n, j = e % n;
    double acc = 0;
    for (int64_t k = 0; k < n; ++k) acc += a[i * n + k] * b[k * n + j];
    c[e] = acc;
  }
  __syncthreads();
}

// out = (accumulate ? out : 0) + c6 a6 + c4 a4 + c2 a2 + c0 I, added left to right as Eigen does.
__device__ void combine(double* out, bool accumulate, double c6, const double* a6, double c4, const double* a4,
                        double c2, const double* a2, double c0, int64_t n) {
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) {
    double v = accumulate ? out[e] + c6 * a6[e] : c6 * a6[e];
    v += c4 * a4[e];
    v += c2 * a2[e];
    if (e / n == e % n) v += c0;
    out[e] = v;
  }
  __syncthreads();
}

// max over columns of the column's sum of |entries| (every thread gets it).
__device__ double norm1(const double* a, int64_t n) {
  double best = 0;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += math::abs(a[i * n + j]);
    best = math::max_of(best, sum);
  }
  return block_max(best);
}

// The row i >= k with the largest |p[i][k]|, the first one on ties (every thread gets it).
__device__ int64_t pivot_row(const double* p, int64_t k, int64_t n) {
  __shared__ double values[kExpmThreads];
  __shared__ int64_t rows[kExpmThreads];
  double best = -1;
  int64_t best_row = k;
  for (int64_t i = k + threadIdx.x; i < n; i += blockDim.x)
    if (math::abs(p[i * n + k]) > best) best = math::abs(p[i * n + k]), best_row = i;
  values[threadIdx.x] = best;
  rows[threadIdx.x] = best_row;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) {
      const double v = values[threadIdx.x + half];
      const int64_t r = rows[threadIdx.x + half];
      if (v > values[threadIdx.x] || (v == values[threadIdx.x] && r < rows[threadIdx.x]))
        values[threadIdx.x] = v, rows[threadIdx.x] = r;
    }
    __syncthreads();
  }
  const int64_t row = rows[0];
  __syncthreads();  // rows[0] is read by every thread before the next call overwrites it
  return row;
}

// Solves p x = q in place (x ends in q; p is overwritten by its LU factors): Gaussian
// elimination with partial pivoting, each row swap and elimination step applied to q too, then
// back substitution.
__device__ void solve(double* p, double* q, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    const int64_t piv = pivot_row(p, k, n);
    if (piv != k) {
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
        double tmp = p[k * n + j];
        p[k * n + j] = p[piv * n + j];
        p[piv * n + j] = tmp;
        tmp = q[k * n + j];
        q[k * n + j] = q[piv * n + j];
        q[piv * n + j] = tmp;
      }
      __syncthreads();
    }
    const double pivot = p[k * n + k];
    for (int64_t i = k + 1 + threadIdx.x; i < n; i += blockDim.x) p[i * n + k] /= pivot;
    __syncthreads();
    // Rows below k: p's trailing columns and all of q's.
    const int64_t below = n - k - 1, width = (n - k - 1) + n;
    for (int64_t e = threadIdx.x; e < below * width; e += blockDim.x) {
      const int64_t i = k + 1 + e / width, c = e % width;
      const double l = p[i * n + k];
      if (c < n - k - 1) p[i * n + k + 1 + c] -= l * p[k * n + k + 1 + c];
      else q[i * n + (c - (n - k - 1))] -= l * q[k * n + (c - (n - k - 1))];
    }
    __syncthreads();
  }
  for (int64_t k = n - 1; k >= 0; --k) {
    const double diagonal = p[k * n + k];
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) q[k * n + j] /= diagonal;
    __syncthreads();
    for (int64_t e = threadIdx.x; e < k * n; e += blockDim.x) {
      const int64_t i = e / n, j = e % n;
      q[e] -= p[i * n + k] * q[k * n + j];
    }
    __syncthreads();
  }
}

// r13(w.a) per tensor/cpu/expm.cpp's pade13(); returns the buffer holding it (w.a4).
__device__ double* pade13(const Workspace& w, int64_t n) {
  const double* b = kPade13;
  multiply(w.a2, w.a, w.a, n);
  multiply(w.a4, w.a2, w.a2, n);
  multiply(w.a6, w.a4, w.a2, n);
  combine(w.t, false, b[13], w.a6, b[11], w.a4, b[9], w.a2, 0.0, n);
  multiply(w.u, w.a6, w.t, n);
  combine(w.u, true, b[7], w.a6, b[5], w.a4, b[3], w.a2, b[1], n);
  multiply(w.t, w.a, w.u, n);  // U
  combine(w.u, false, b[12], w.a6, b[10], w.a4, b[8], w.a2, 0.0, n);
  multiply(w.v, w.a6, w.u, n);
  combine(w.v, true, b[6], w.a6, b[4], w.a4, b[2], w.a2, b[0], n);  // V
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) {
    w.a2[e] = w.v[e] - w.t[e];
    w.a4[e] = w.v[e] + w.t[e];
  }
  __syncthreads();
  solve(w.a2, w.a4, n);
  return w.a4;
}

// r /= max|r|, log_scale += log(max|r|).
__device__ void normalise(double* r, int64_t n, double& log_scale) {
  double m = 0;
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) m = math::max_of(m, math::abs(r[e]));
  m = block_max(m);
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) r[e] /= m;
  __syncthreads();
  log_scale += math::log(m);
}

// exp(w.a) by scaling and squaring; w.a is overwritten. With log_scale, returns R with
// exp(a) = R e^log_scale and max|R| = 1 (renormalised after every squaring), as expm_scaled().
// Returns the buffer that holds the result.
__device__ double* expm_in_workspace(const Workspace& w, int64_t n, double* log_scale) {
  const double norm = norm1(w.a, n);
  // Capped: beyond 2^1100 every double overflows anyway, and an infinite norm must not become a
  // loop of 2^31 squarings.
  const int s = norm > kTheta13 ? static_cast<int>(::fmin(ceil(log2(norm / kTheta13)), 1100.0)) : 0;
  if (s > 0) {
    const double divisor = ldexp(1.0, s);
    for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) w.a[e] /= divisor;
    __syncthreads();
  }
  double* r = pade13(w, n);
  double* spare = w.t;
  if (log_scale) {
    *log_scale = 0;
    normalise(r, n, *log_scale);
  }
  for (int i = 0; i < s; ++i) {
    multiply(spare, r, r, n);
    double* squared = spare;
    spare = r;
    r = squared;
    if (log_scale) {
      *log_scale *= 2;
      normalise(r, n, *log_scale);
    }
  }
  return r;
}

template <class T> __device__ void load(double* dst, int64_t ld_dst, const T* src, int64_t n, double scale) {
  for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x)
    dst[(e / n) * ld_dst + e % n] = static_cast<double>(src[e]) * scale;
}

template <class T> __global__ void expm_kernel(T* out, const T* x, int64_t batches, int64_t n, double* workspace) {
  const Workspace w = carve(workspace + blockIdx.x * kWorkspaceMatrices * n * n, n);
  for (int64_t b = blockIdx.x; b < batches; b += gridDim.x) {
    load(w.a, n, x + b * n * n, n, 1.0);
    __syncthreads();
    const double* r = expm_in_workspace(w, n, nullptr);
    for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x) out[b * n * n + e] = static_cast<T>(r[e]);
    __syncthreads();
  }
}

// L(A, E) from expm([[A, E s], [0, A]]) = [[., L(A, E) s], [0, .]] with s = max(‖A‖1, 1) / ‖E‖1,
// so E does not change the scaling. The workspace holds 2n x 2n matrices.
template <class T>
__global__ void expm_frechet_kernel(T* out, const T* a, const T* e, int64_t batches, int64_t n, double* workspace) {
  const int64_t n2 = 2 * n;
  const Workspace w = carve(workspace + blockIdx.x * kWorkspaceMatrices * n2 * n2, n2);
  for (int64_t b = blockIdx.x; b < batches; b += gridDim.x) {
    const T* pa = a + b * n * n;
    const T* pe = e + b * n * n;
    // ‖E‖1 and ‖A‖1, read through the workspace's first matrix rows as scratch.
    load(w.a, n, pe, n, 1.0);
    __syncthreads();
    const double norm_e = norm1(w.a, n);
    load(w.a, n, pa, n, 1.0);
    __syncthreads();
    const double norm_a = norm1(w.a, n);
    T* o = out + b * n * n;
    if (norm_e == 0) {  // L(A, 0) = 0
      for (int64_t i = threadIdx.x; i < n * n; i += blockDim.x) o[i] = T(0);
      __syncthreads();
      continue;
    }
    const double scale = ::fmax(norm_a, 1.0) / norm_e;
    for (int64_t i = threadIdx.x; i < n2 * n2; i += blockDim.x) w.a[i] = 0;
    __syncthreads();
    load(w.a, n2, pa, n, 1.0);               // top left
    load(w.a + n * n2 + n, n2, pa, n, 1.0);  // bottom right
    load(w.a + n, n2, pe, n, scale);         // top right: E s
    __syncthreads();
    const double* r = expm_in_workspace(w, n2, nullptr);
    for (int64_t i = threadIdx.x; i < n * n; i += blockDim.x)
      o[i] = static_cast<T>(r[(i / n) * n2 + n + i % n] / scale);
    __syncthreads();
  }
}

// out = log tr exp(x) = log_scale + log tr R; grad = exp(x)ᵀ / tr exp(x) = Rᵀ / tr R.
template <class T>
__global__ void log_trace_expm_kernel(T* out, T* grad, const T* x, int64_t batches, int64_t n, double* workspace) {
  const Workspace w = carve(workspace + blockIdx.x * kWorkspaceMatrices * n * n, n);
  for (int64_t b = blockIdx.x; b < batches; b += gridDim.x) {
    load(w.a, n, x + b * n * n, n, 1.0);
    __syncthreads();
    double log_scale = 0;
    const double* r = expm_in_workspace(w, n, &log_scale);
    double diagonal = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) diagonal += r[i * n + i];
    const double trace = block_sum(diagonal);
    if (threadIdx.x == 0) out[b] = static_cast<T>(log_scale + math::log(trace));
    if (grad)
      for (int64_t e = threadIdx.x; e < n * n; e += blockDim.x)
        grad[b * n * n + e] = static_cast<T>(r[(e % n) * n + e / n] / trace);
    __syncthreads();
  }
}

// Blocks for `batches` matrices: at most two per multiprocessor, so the workspace stays bounded.
unsigned int expm_blocks(int64_t batches) {
  return static_cast<unsigned int>(std::clamp<int64_t>(batches, 1, int64_t(2) * multiprocessor_count()));
}

// Runs launch(workspace) with a workspace of kWorkspaceMatrices order x order doubles per block.
template <class Launch> void with_workspace(unsigned int blocks, int64_t order, Launch&& launch) {
  const size_t bytes = sizeof(double) * size_t(blocks) * kWorkspaceMatrices * size_t(order * order);
  double* workspace = static_cast<double*>(allocate(bytes));
  launch(workspace);
  release(workspace, bytes);  // stream-ordered: the kernel finishes before any reuse
}

int64_t matrix_order(const Tensor& t) { return t.shape().back(); }
int64_t matrix_count(const Tensor& t) { return t.numel() / std::max<int64_t>(matrix_order(t) * matrix_order(t), 1); }

}  // namespace

void expm(Tensor& out, const Tensor& x_in) {
  const Tensor x = dense_input(x_in);
  const int64_t n = matrix_order(x), batches = matrix_count(x);
  if (batches == 0 || n == 0) return;
  const unsigned int blocks = expm_blocks(batches);
  dispatch_floating(x.dtype(), "expm", [&](auto tag) {
    using T = decltype(tag);
    with_workspace(blocks, n, [&](double* workspace) {
      expm_kernel<T><<<blocks, kExpmThreads, 0, stream()>>>(out.data<T>(), x.data<T>(), batches, n, workspace);
      PLDR_CUDA_CHECK_LAUNCH("expm");
    });
  });
}

void expm_frechet(Tensor& out, const Tensor& a_in, const Tensor& e_in) {
  const Tensor a = dense_input(a_in), e = dense_input(e_in);
  const int64_t n = matrix_order(a), batches = matrix_count(a);
  if (batches == 0 || n == 0) return;
  const unsigned int blocks = expm_blocks(batches);
  dispatch_floating(a.dtype(), "expm_frechet", [&](auto tag) {
    using T = decltype(tag);
    with_workspace(blocks, 2 * n, [&](double* workspace) {
      expm_frechet_kernel<T>
          <<<blocks, kExpmThreads, 0, stream()>>>(out.data<T>(), a.data<T>(), e.data<T>(), batches, n, workspace);
      PLDR_CUDA_CHECK_LAUNCH("expm_frechet");
    });
  });
}

void log_trace_expm(Tensor& out, Tensor* grad, const Tensor& x_in) {
  const Tensor x = dense_input(x_in);
  const int64_t n = matrix_order(x), batches = matrix_count(x);
  if (batches == 0 || n == 0) return;
  const unsigned int blocks = expm_blocks(batches);
  dispatch_floating(x.dtype(), "log_trace_expm", [&](auto tag) {
    using T = decltype(tag);
    with_workspace(blocks, n, [&](double* workspace) {
      log_trace_expm_kernel<T><<<blocks, kExpmThreads, 0, stream()>>>(out.data<T>(), grad ? grad->data<T>() : nullptr,
                                                                      x.data<T>(), batches, n, workspace);
      PLDR_CUDA_CHECK_LAUNCH("log_trace_expm");
    });
  });
}

}  // namespace pldr::cuda
