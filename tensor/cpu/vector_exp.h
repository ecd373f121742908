// exp over rows of floats in SIMD registers: a polynomial the compiler vectorises under
// `#pragma omp simd` (AVX-512 or AVX2 with -march=native), instead of one scalar libm expf call
// per element. Cephes' expf (S. Moshier): x = n ln2 + r with |r| <= ln2/2 (ln2 split in two parts
// so r is exact), exp(r) by a degree-7 polynomial, times 2^n built in the exponent bits; about
// 1 ulp from the true value. Every step is an explicit fma or an exactly rounded operation, so
// the vector lanes and any scalar remainder give the same bits: results are deterministic and do
// not depend on the vector width. Inputs below -87.33 (where 2^n would be subnormal) give 0 and
// inputs above 88.37 (where 2^n would overflow; exp itself overflows at 88.72) give +inf; NaN
// propagates. The callers take exp(x - max) <= 1.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pldr::cpu {

#pragma omp declare simd notinbranch
inline float exp_poly(float x) {
  constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kLow = -87.3365448f, kHigh = 88.37f;
  const float clamped = x > kHigh ? kHigh : (x > kLow ? x : kLow);  // NaN -> kLow (selects, not fminf calls)
  const float n =
      std::nearbyint(clamped * kLog2e);  // to nearest (floor would not vectorise without -fno-trapping-math)
  const float r = std::fma(n, -kLn2Lo, std::fma(n, -kLn2Hi, clamped));
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  p = std::fma(p, r * r, r + 1.0f);
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 127]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float y = p * scale;
  return x < kLow ? 0.0f : (x > kHigh ? INFINITY : (x != x ? x : y));
}

// exp for either float type: the polynomial for float, libm for double (the float64 path is the
// golden reference's and stays exact to libm). Below -746, exp rounds to 0 in double and the
// libm call (its slow underflow path) is skipped.
template <class T> inline T exp_fast(T x) {
  if constexpr (sizeof(T) == 4) return exp_poly(x);
  else return x < T(-746) ? T(0) : std::exp(x);
}

}  // namespace pldr::cpu
