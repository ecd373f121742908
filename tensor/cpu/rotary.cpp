// Rotary position embedding over dense x [B, S, H, dk] with float32 cos/sin tables [S, dk/2].
// The arithmetic type follows the reference of each pairing (see tensor/ops.h).
#include "tensor/cpu/kernels.h"

namespace pldr::cpu {

namespace {
// y0 = x0 c - x1 s,  y1 = x1 c + x0 s, evaluated in type A (products and sums each rounded to A).
template <class A> void rotate(A x0, A x1, A c, A s, A& y0, A& y1) {
  const A p0 = x0 * c, p1 = x1 * s, p2 = x1 * c, p3 = x0 * s;
  y0 = p0 - p1;
  y1 = p2 + p3;
}
}  // namespace

void rotary(Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse) {
  dispatch_floating(x.dtype(), "rotary", [&](auto tag) {
    using T = decltype(tag);
    const int64_t b = x.shape()[0], seq = x.shape()[1], heads = x.shape()[2], dk = x.shape()[3], half = dk / 2;
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
            const float c = pc[s * half + i], sn = inverse ? -ps[s * half + i] : ps[s * half + i];
            if (pairing == RotaryPairing::Interleaved) {
              float y0, y1;
              rotate<float>(static_cast<float>(in[2 * i]), static_cast<float>(in[2 * i + 1]), c, sn, y0, y1);
              o[2 * i] = static_cast<T>(y0);
              o[2 * i + 1] = static_cast<T>(y1);
            } else {
              T y0, y1;
              rotate<T>(in[i], in[i + half], static_cast<T>(c), static_cast<T>(sn), y0, y1);
              o[i] = y0;
              o[i + half] = y1;
            }
          }
        }
  });
}

}  // namespace pldr::cpu
