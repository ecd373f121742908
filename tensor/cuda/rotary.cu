// Rotary position embedding over dense x [B, S, H, dk] with float32 cos/sin tables [S, dk/2]:
// one thread per rotated pair. As the CPU kernel, the table entries are cast to x's dtype and
// each product and sum rounds to T (no fused multiply-add: --fmad=false).
#include <cstdint>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

// Pair i of a head is (i * first_step, i * first_step + partner): (2i, 2i+1) interleaved, or
// (i, i + dk/2) rotate-half.
template <class T> __global__ void rotary_kernel(T* out, const T* x, const float* cos, const float* sin,
                                                 int64_t heads_total, int64_t seq, int64_t heads, int64_t half,
                                                 int64_t first_step, int64_t partner, bool inverse) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < heads_total * half;
       t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t head = t / half, i = t % half;  // head indexes [B, S, H] flattened
    const int64_t s = head / heads % seq;
    const T c = static_cast<T>(cos[s * half + i]);
    const T sn = static_cast<T>(inverse ? -sin[s * half + i] : sin[s * half + i]);
    const int64_t j = head * 2 * half + i * first_step, k = j + partner;
    const T x0 = x[j], x1 = x[k];
    const T p0 = x0 * c, p1 = x1 * sn, p2 = x1 * c, p3 = x0 * sn;
    out[j] = p0 - p1;
    out[k] = p2 + p3;
  }
}

}  // namespace

void rotary(Tensor& out, const Tensor& x_in, const Tensor& cos_in, const Tensor& sin_in, RotaryPairing pairing,
            bool inverse) {
  const Tensor x = dense_input(x_in), cos = dense_input(cos_in), sin = dense_input(sin_in);
  const int64_t b = x.shape()[0], seq = x.shape()[1], heads = x.shape()[2], dk = x.shape()[3], half = dk / 2;
  const int64_t first_step = pairing == RotaryPairing::Interleaved ? 2 : 1;
  const int64_t partner = pairing == RotaryPairing::Interleaved ? 1 : half;
  const int64_t pairs = b * seq * heads * half;
  if (pairs == 0) return;
  dispatch_floating(x.dtype(), "rotary", [&](auto tag) {
    using T = decltype(tag);
    rotary_kernel<T><<<element_blocks(pairs), kElementThreads, 0, stream()>>>(
        out.data<T>(), x.data<T>(), cos.data<float>(), sin.data<float>(), b * seq * heads, seq, heads, half, first_step,
        partner, inverse);
    PLDR_CUDA_CHECK_LAUNCH("rotary");
  });
}

}  // namespace pldr::cuda
