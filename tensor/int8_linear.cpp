// int8_linear (tensor/int8_matrix.h): the product of float32 activations with int8 weights.
#include <stdexcept>
#include <string>

#include "tensor/cpu/strided_loop.h"
#include "tensor/int8_matrix.h"
#include "tensor/ops.h"
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace pldr {

namespace {

// Up to this many rows of x read the int8 weights directly (decoding: one row per sequence); more
// rows amortise a dequantised block over the float32 product.
constexpr int64_t kDirectRows = 16;
// Rows of W dequantised at once on the block path: 256 rows of a 4096-wide W are 4 MB of float32.
constexpr int64_t kBlockRows = 256;
// Rows of x a weight row is used for while it sits in registers and L1.
constexpr int kTile = 4;

#if defined(__AVX2__)  // also defined with AVX-512
// The sum of the eight lanes of v.
float horizontal_sum(__m256 v) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}
#endif

// acc[m] = Σ_k x[m][k] · q[k] for the R (≤ kTile) rows of x starting at x (stride K). The weights
// are sign-extended to int32 and converted to float32 a vector at a time; two accumulators per row
// so that consecutive FMAs do not wait for each other. R is a template parameter so that the row
// loops unroll into registers.
template <int R> void dot_tile(const float* x, int64_t K, const int8_t* q, float* acc) {
  int64_t k = 0;
#if defined(__AVX512F__)
  __m512 lo[R], hi[R];
  for (int m = 0; m < R; ++m) lo[m] = hi[m] = _mm512_setzero_ps();
  for (; k + 32 <= K; k += 32) {
    const __m512 w0 =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + k))));
    const __m512 w1 =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + k + 16))));
    for (int m = 0; m < R; ++m) {
      lo[m] = _mm512_fmadd_ps(_mm512_loadu_ps(x + m * K + k), w0, lo[m]);
      hi[m] = _mm512_fmadd_ps(_mm512_loadu_ps(x + m * K + k + 16), w1, hi[m]);
    }
  }
  for (int m = 0; m < R; ++m) {
    // Through memory: g++ 12 warns from inside its own headers about every intrinsic that narrows
    // a 512-bit register (their "undefined" placeholder operand).
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, _mm512_add_ps(lo[m], hi[m]));
    acc[m] = horizontal_sum(_mm256_add_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8)));
  }
#elif defined(__AVX2__) && defined(__FMA__)
  __m256 lo[R], hi[R];
  for (int m = 0; m < R; ++m) lo[m] = hi[m] = _mm256_setzero_ps();
  for (; k + 16 <= K; k += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + k));
    const __m256 w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
    const __m256 w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(bytes, bytes)));
    for (int m = 0; m < R; ++m) {
      lo[m] = _mm256_fmadd_ps(_mm256_loadu_ps(x + m * K + k), w0, lo[m]);
      hi[m] = _mm256_fmadd_ps(_mm256_loadu_ps(x + m * K + k + 8), w1, hi[m]);
    }
  }
  for (int m = 0; m < R; ++m) acc[m] = horizontal_sum(_mm256_add_ps(lo[m], hi[m]));
#else
  for (int m = 0; m < R; ++m) acc[m] = 0;
#endif
  for (; k < K; ++k)
    for (int m = 0; m < R; ++m) acc[m] += x[m * K + k] * float(q[k]);
}

void dot_rows(const float* x, int rows, int64_t K, const int8_t* q, float* acc) {
  switch (rows) {
    case 1: return dot_tile<1>(x, K, q, acc);
    case 2: return dot_tile<2>(x, K, q, acc);
    case 3: return dot_tile<3>(x, K, q, acc);
    default: return dot_tile<kTile>(x, K, q, acc);
  }
}

// out[m][n] = scale[n] · Σ_k x[m][k] q[n][k] (+ bias[n]), in parallel over the rows n of W: each
// thread streams its share of the weights once, which is what bounds a matrix-vector product.
void direct_product(const float* x, int64_t M, const Int8Matrix& w, const float* bias, float* out) {
  const int64_t N = w.rows(), K = w.cols();
  const int8_t* q = w.data();
  const float* scale = w.scales().data<float>();
#pragma omp parallel for schedule(static) if (N * K >= cpu::kParallelThreshold)
  for (int64_t n = 0; n < N; ++n) {
    float acc[kTile];
    for (int64_t m0 = 0; m0 < M; m0 += kTile) {
      const int rows = int(std::min<int64_t>(kTile, M - m0));
      dot_rows(x + m0 * K, rows, K, q + n * K, acc);
      for (int m = 0; m < rows; ++m) out[(m0 + m) * N + n] = acc[m] * scale[n] + (bias ? bias[n] : 0.0f);
    }
  }
}

// The same product through the float32 GEMM, one dequantised block of kBlockRows rows of W at a
// time, so that at most one block of float32 weights exists at once.
void block_product(const Tensor& x2d, const Int8Matrix& w, const float* bias, Tensor& out) {
  const int64_t N = w.rows(), K = w.cols(), M = x2d.shape()[0];
  for (int64_t n0 = 0; n0 < N; n0 += kBlockRows) {
    const int64_t rows = std::min(kBlockRows, N - n0);
    Tensor block = Tensor::uninitialized({rows, K}, DType::Float32);
    float* b = block.data<float>();
    const int8_t* q = w.data() + n0 * K;
    const float* scale = w.scales().data<float>() + n0;
#pragma omp parallel for schedule(static) if (rows * K >= cpu::kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < K; ++k) b[r * K + k] = scale[r] * float(q[r * K + k]);
    const Tensor part = ops::matmul(x2d, block.transpose(0, 1));  // [M, rows]
    const float* p = part.data<float>();
    float* o = out.data<float>();
    for (int64_t m = 0; m < M; ++m)
      for (int64_t r = 0; r < rows; ++r) o[m * N + n0 + r] = p[m * rows + r] + (bias ? bias[n0 + r] : 0.0f);
  }
}

}  // namespace

Tensor int8_linear(const Tensor& x, const Int8Matrix& w, const Tensor& bias) {
  if (x.device() != Device::CPU)
    throw std::invalid_argument(std::string("int8 linear: int8 weights run on the CPU only, the input is on ") +
                                device_name(x.device()));
  if (x.dtype() != DType::Float32)
    throw std::invalid_argument(std::string("int8 linear: needs float32 input, got ") + dtype_name(x.dtype()));
  if (x.dim() < 1 || x.shape().back() != w.cols())
    throw std::invalid_argument("int8 linear: input " + to_string(x.shape()) + " against weights " +
                                to_string(Shape{w.rows(), w.cols()}));
  if (bias.defined() && (bias.dtype() != DType::Float32 || bias.shape() != Shape{w.rows()}))
    throw std::invalid_argument("int8 linear: bias must be float32 [" + std::to_string(w.rows()) + "]");
  const int64_t M = x.numel() / w.cols();
  const Tensor x2d = x.contiguous().view({M, w.cols()});
  const Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  const float* bias_data = b.defined() ? b.data<float>() : nullptr;
  Shape shape = x.shape();
  shape.back() = w.rows();
  Tensor out = Tensor::uninitialized({M, w.rows()}, DType::Float32);
  if (M <= kDirectRows) direct_product(x2d.data<float>(), M, w, bias_data, out.data<float>());
  else block_product(x2d, w, bias_data, out);
  return out.view(shape);
}

}  // namespace pldr
