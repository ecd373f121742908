// bfloat16 matrix products. A product with few output rows (a decode step: one token's row times
// a weight) is bound by reading the weight, so it reads the bfloat16 weight directly, two bytes
// an element, widening in registers and summing in float32; widening the whole weight to a
// float32 copy first (the via_float route) would read it, write twice as many bytes and read
// those again. Every other bfloat16 product goes through the float32 GEMM on widened panels.
#include <algorithm>
#include <cstring>
#include <vector>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/cpu/via_float.h"

namespace pldr::cpu {

namespace {

// Up to this many output rows, the weight-streaming kernel; above, a blocked GEMM reuses each
// weight element across rows and wins.
constexpr int64_t kMaxStreamingRows = 8;

inline float widen(uint16_t bits) {
  const uint32_t u = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// out [rows, n] = alpha a [rows, k] (dense float) x w, where column j of the product reads w's row j:
// w is the [n, k] weight behind a transposed view (k contiguous, rows ld apart).
void stream_weight_rows(BFloat16* out, const std::vector<float>& a, int64_t rows, int64_t k, const BFloat16* w,
                        int64_t ld, int64_t n, float alpha) {
  const uint16_t* bits = reinterpret_cast<const uint16_t*>(w);
#pragma omp parallel for schedule(static) if (n * k >= kParallelThreshold)
  for (int64_t j = 0; j < n; ++j) {
    const uint16_t* wj = bits + j * ld;
    for (int64_t r = 0; r < rows; ++r) {
      const float* ar = a.data() + r * k;
      float acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t i = 0; i < k; ++i) acc += ar[i] * widen(wj[i]);
      out[r * n + j] = BFloat16(alpha * acc);
    }
  }
}

// The streaming case: bfloat16 operands, b one matrix shared by the batch and stored as a
// transposed view (a Linear layer's xWᵀ), at most kMaxStreamingRows rows in all.
bool streams(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.dtype() != DType::BFloat16 || a.dtype() != DType::BFloat16 || b.dtype() != DType::BFloat16) return false;
  const int r = out.dim();
  for (int i = 0; i < r - 2; ++i)
    if (b.strides()[i] != 0 && b.shape()[i] != 1) return false;
  const int64_t rows = out.numel() / std::max<int64_t>(out.shape()[r - 1], 1);
  return rows <= kMaxStreamingRows && b.strides()[r - 2] == 1 && b.strides()[r - 1] >= b.shape()[r - 2];
}

}  // namespace

void matmul(Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  if (!streams(out, a, b)) return via_float<&matmul_float>::run(out, a, b, alpha);
  const int r = out.dim();
  const int64_t k = a.shape()[r - 1], n = out.shape()[r - 1], rows = out.numel() / std::max<int64_t>(n, 1);
  if (rows == 0 || n == 0) return;
  const std::vector<float> wide = a.contiguous().to_vector<float>();  // [rows, k]: small next to the weight
  stream_weight_rows(out.data<BFloat16>(), wide, rows, k, b.data<BFloat16>(), b.strides()[r - 1], n,
                     static_cast<float>(alpha));
}

}  // namespace pldr::cpu
