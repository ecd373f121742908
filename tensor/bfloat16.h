// bfloat16: the top 16 bits of an IEEE float32 (1 sign, 8 exponent, 7 mantissa bits), the storage
// type of DType::BFloat16. Conversions round to nearest, ties to even; NaN stays a (quiet) NaN of
// the same sign; values past the largest bfloat16 become infinities. Arithmetic is never done in
// bfloat16: a value converts implicitly to float, and kernels compute in accumulate_t<T> (float for
// bfloat16, see tensor/dtype.h) and round once when they store.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace pldr {

struct BFloat16 {
  uint16_t bits = 0;

  BFloat16() = default;
  explicit BFloat16(float f) : bits(round_float(f)) {}
  // From double (and integers, exactly representable in double): double -> float rounding to odd,
  // then float -> bfloat16 to nearest even, which equals rounding the double directly (the odd
  // last bit keeps "above the halfway point" from turning into a tie).
  template <class U, std::enable_if_t<std::is_arithmetic_v<U> && !std::is_same_v<U, float>, int> = 0>
  explicit BFloat16(U v) : bits(round_float(float_rounded_to_odd(static_cast<double>(v)))) {}

  operator float() const {
    const uint32_t u = uint32_t(bits) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  }

  static BFloat16 from_bits(uint16_t b) {
    BFloat16 h;
    h.bits = b;
    return h;
  }

  static uint16_t round_float(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x0040u);  // NaN: keep sign, force quiet
    u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even; carries into the exponent (to inf)
    return uint16_t(u >> 16);
  }

  static float float_rounded_to_odd(double d) {
    float f = static_cast<float>(d);
    if (!std::isfinite(f) || static_cast<double>(f) == d) return f;  // exact, NaN, or overflowed to inf
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if (std::fabs(static_cast<double>(f)) > std::fabs(d)) --u;  // the float truncated toward zero...
    u |= 1u;                                                    // ...with the sticky bit set
    std::memcpy(&f, &u, sizeof f);
    return f;
  }
};
static_assert(sizeof(BFloat16) == 2);

}  // namespace pldr
