// Rotary position embedding over dense x [B, S, H, dk] with float32 cos/sin tables [S, dk/2].
#include "tensor/cpu/kernels.h"

namespace pldr::cpu {

void rotary(Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse) {
  dispatch_floating(x.dtype(), "rotary", [&](auto tag) {
    using T = decltype(tag);
    const int64_t b = x.shape()[0], seq = x.shape()[1], heads = x.shape()[2], dk = x.shape()[3], half = dk / 2;
    // Pair i is (2i, 2i+1) interleaved, or (i, i + dk/2) rotate-half.
    const int64_t first_step = pairing == RotaryPairing::Interleaved ? 2 : 1;
    const int64_t partner = pairing == RotaryPairing::Interleaved ? 1 : half;
    const T* px = x.data<T>();
    const float* pc = cos.data<float>();
    const float* ps = sin.data<float>();
    T* po = out.data<T>();
#pragma omp parallel for collapse(2) schedule(static) if (x.numel() >= (1 << 15))
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t h = 0; h < heads; ++h) {
          const T* in = px + ((bi * seq + s) * heads + h) * dk;
          T* o = po + ((bi * seq + s) * heads + h) * dk;
          for (int64_t i = 0; i < half; ++i) {
            // The float32 table is cast to the activation dtype; products and sums round to T.
            const T c = static_cast<T>(pc[s * half + i]);
            const T sn = static_cast<T>(inverse ? -ps[s * half + i] : ps[s * half + i]);
            const int64_t j = i * first_step, k = j + partner;
            const T x0 = in[j], x1 = in[k];
            const T p0 = x0 * c, p1 = x1 * sn, p2 = x1 * c, p3 = x0 * sn;
            o[j] = p0 - p1;
            o[k] = p2 + p3;
          }
        }
  });
}

}  // namespace pldr::cpu
