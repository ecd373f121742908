// Scalar restatement of SLEEF 3.5.1's xsinf_u1, xcosf_u1 and xpowf (see sleef_float.h). Every
// float operation below is one IEEE operation of the vector code, in the same order: the project
// builds with -ffp-contract=off, and the fused multiply-adds of the FMA build are std::fma.
#include "reference/sleef_float.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pldr::reference::sleef {

namespace {

// ---- double-float arithmetic: a value is hi + lo with |lo| <= ulp(hi)/2 ----
struct F2 {
  float x, y;
};

float fma_(float a, float b, float c) { return std::fma(a, b, c); }
float rint_(float a) { return std::nearbyint(a); }  // round to nearest even (default mode)
int rint_int(float a) { return static_cast<int>(std::nearbyint(a)); }
float mulsign(float a, float b) {
  return std::bit_cast<float>(std::bit_cast<uint32_t>(a) ^ (std::bit_cast<uint32_t>(b) & 0x80000000u));
}

F2 normalize(F2 t) {
  const float s = t.x + t.y;
  return {s, (t.x - s) + t.y};
}
F2 scale(F2 d, float s) { return {d.x * s, d.y * s}; }
// Sums. The "2" forms need no ordering of magnitudes.
F2 add(float x, float y) {
  const float s = x + y;
  return {s, (x - s) + y};
}
F2 add2(float x, float y) {
  const float s = x + y, v = s - x;
  return {s, (x - (s - v)) + (y - v)};
}
F2 add(F2 x, float y) {
  const float s = x.x + y;
  return {s, ((x.x - s) + y) + x.y};
}
F2 add2(F2 x, float y) {
  const float s = x.x + y, v = s - x.x;
  return {s, ((x.x - (s - v)) + (y - v)) + x.y};
}
F2 add(float x, F2 y) {
  const float s = x + y.x;
  return {s, ((x - s) + y.x) + y.y};
}
F2 add(F2 x, F2 y) {
  const float s = x.x + y.x;
  return {s, (((x.x - s) + y.x) + x.y) + y.y};
}
F2 add2(F2 x, F2 y) {
  const float s = x.x + y.x, v = s - x.x;
  return {s, ((x.x - (s - v)) + (y.x - v)) + (x.y + y.y)};
}
// Products with FMA.
F2 mul(float x, float y) {
  const float s = x * y;
  return {s, fma_(x, y, -s)};
}
F2 mul(F2 x, float y) {
  const float s = x.x * y;
  return {s, fma_(x.y, y, fma_(x.x, y, -s))};
}
F2 mul(F2 x, F2 y) {
  const float s = x.x * y.x;
  return {s, fma_(x.x, y.y, fma_(x.y, y.x, fma_(x.x, y.x, -s)))};
}
float mul_to_float(F2 x, F2 y) { return fma_(x.x, y.x, fma_(x.y, y.x, x.x * y.y)); }
F2 square(F2 x) {
  const float s = x.x * x.x;
  return {s, fma_(x.x + x.x, x.y, fma_(x.x, x.x, -s))};
}
F2 div(F2 n, F2 d) {
  const float t = 1.0f / d.x, s = n.x * t;
  const float u = fma_(t, n.x, -s);
  const float v = fma_(-d.y, t, fma_(-d.x, t, 1.0f));
  return {s, fma_(s, v, fma_(n.y, t, u))};
}

// ---- argument reduction ----
constexpr float kOneOverPi = static_cast<float>(0.318309886183790671537767526745028724);
// π split so that q·PI_A2 and q·PI_B2 are exact for the Cody-Waite range (|d| < 125).
constexpr float kPiA2 = 3.1414794921875f, kPiB2 = 0.00011315941810607910156f, kPiC2 = 1.9841872589410058936e-09f;
constexpr float kCodyWaiteMax = 125.0f;
// 1/(2π) as four floats, the first three with their two lowest mantissa bits cleared (SLEEF's
// rempitabsp row for exponents below 26; generated from 1/(2π) to 400 bits).
constexpr float kInv2Pi[4] = {0x1.45f3p-3f, 0x1.b7272p-25f, 0x1.054a8p-48f, -0x1.ec5418p-73f};
constexpr F2 kTwoPi{3.1415927410125732422f * 2, -8.7422776573475857731e-08f * 2};
constexpr F2 kHalfPiNeg{static_cast<float>(3.1415927410125732422f * -0.5),
                        static_cast<float>(-8.7422776573475857731e-08f * -0.5)};

struct Reduced {
  F2 r;   // the argument reduced to about [-π/4, π/4] (before the quadrant fix-up below)
  int q;  // quadrant count
};

// x - round(4x)/4 and the integer round(4x) - 4·round(x): peels whole quarter turns off x.
Reduced peel_quarters(float x) {
  const float y = rint_(x * 4.0f);
  return {{x - y * 0.25f, 0.0f}, static_cast<int>(std::trunc(y - rint_(x) * 4.0f))};
}

// a·(1/(2π)) modulo 1 in double-float, times 2π, with the quarter turns counted (SLEEF's rempif).
Reduced payne_hanek(float a) {
  const int exponent = static_cast<int>((std::bit_cast<uint32_t>(a) >> 23) & 0xff) - 0x7f;
  if (exponent - 25 > 0)
    throw std::domain_error("sleef reduction: |" + std::to_string(a) + "| >= 2^26 is outside the supported range");
  F2 x = mul(a, kInv2Pi[0]);
  Reduced p = peel_quarters(x.x);
  int q = p.q;
  x = normalize({p.r.x, x.y});
  x = add2(x, mul(a, kInv2Pi[1]));
  p = peel_quarters(x.x);
  q += p.q;
  x = normalize({p.r.x, x.y});
  x = normalize(add2(x, mul(F2{kInv2Pi[2], kInv2Pi[3]}, a)));
  x = mul(x, kTwoPi);
  if (std::abs(a) < 0.7f) x = {a, 0.0f};
  return {x, q};
}

bool any_large(std::span<const float> in) {
  for (float d : in)
    if (!(std::abs(d) < kCodyWaiteMax)) return true;  // NaN counts as large, as in the vector code
  return false;
}

// The shared kernel: sin(t) on the reduced double-float argument t.
float sin_kernel(F2 t) {
  const F2 s = square(t);
  float u = 2.6083159809786593541503e-06f;
  u = fma_(u, s.x, -0.0001981069071916863322258f);
  u = fma_(u, s.x, 0.00833307858556509017944336f);
  const F2 x = add(1.0f, mul(add(-0.166666597127914428710938f, u * s.x), s));
  return mul_to_float(t, x);
}

float sin_one(float d, bool large_group) {
  if (!std::isfinite(d)) return NAN;  // the vector code poisons the reduced argument to NaN
  F2 s;
  int q;
  if (!large_group) {
    const float u = rint_(d * kOneOverPi);
    q = rint_int(u);
    const float v = fma_(u, -kPiA2, d);
    s = add2(v, u * -kPiB2);
    s = add(s, u * -kPiC2);
  } else {
    const Reduced r = payne_hanek(d);
    q = ((r.q & 3) * 2 + (r.r.x > 0 ? 2 : 1)) >> 2;
    F2 df = r.r;
    if ((r.q & 1) == 1) df = add2(df, F2{mulsign(kHalfPiNeg.x, df.x), mulsign(kHalfPiNeg.y, df.x)});
    s = normalize(df);
  }
  float u = sin_kernel(s);
  if ((q & 1) == 1) u = -u;
  if (d == 0.0f && std::signbit(d)) u = d;
  return u;
}

float cos_one(float d, bool large_group) {
  if (!std::isfinite(d)) return NAN;
  F2 s;
  int q;
  if (!large_group) {
    const float dq = fma_(rint_(fma_(d, kOneOverPi, -0.5f)), 2.0f, 1.0f);
    q = rint_int(dq);
    s = add2(d, dq * (-kPiA2 * 0.5f));
    s = add2(s, dq * (-kPiB2 * 0.5f));
    s = add2(s, dq * (-kPiC2 * 0.5f));
  } else {
    const Reduced r = payne_hanek(d);
    q = ((r.q & 3) * 2 + (r.r.x > 0 ? 8 : 7)) >> 1;
    F2 df = r.r;
    const float y = r.r.x > 0 ? 0.0f : -1.0f;
    if ((r.q & 1) == 0) df = add2(df, F2{mulsign(kHalfPiNeg.x, y), mulsign(kHalfPiNeg.y, y)});
    s = normalize(df);
  }
  float u = sin_kernel(s);
  if ((q & 2) == 0) u = -u;
  return u;
}

void check_sizes(std::span<const float> in, std::span<float> out) {
  if (in.size() != out.size()) throw std::invalid_argument("sleef lanes: input and output sizes differ");
}

// log(d) in double-float for normal d > 0 (SLEEF's logkf; the AVX-512 getexp/getmant form gives
// the same exponent and mantissa for such d).
F2 log_df(float d) {
  const int e = static_cast<int>((std::bit_cast<uint32_t>(d * (1.0f / 0.75f)) >> 23) & 0xff) - 0x7f;
  const float m = std::bit_cast<float>(std::bit_cast<uint32_t>(d) - (static_cast<uint32_t>(e) << 23));
  const F2 x = div(add2(-1.0f, m), add2(1.0f, m));
  const F2 x2 = square(x);
  float t = static_cast<float>(0.240320354700088500976562);
  t = fma_(t, x2.x, static_cast<float>(0.285112679004669189453125));
  t = fma_(t, x2.x, static_cast<float>(0.400007992982864379882812));
  const F2 c{0.66666662693023681640625f, 3.69183861259614332084311e-09f};
  F2 s = mul(F2{0.69314718246459960938f, -1.904654323148236017e-09f}, static_cast<float>(e));
  s = add(s, scale(x, 2.0f));
  return add(s, mul(mul(x2, x), add2(mul(x2, t), c)));
}

// exp of a double-float argument, rounded to float (SLEEF's expkf).
float exp_df(F2 d) {
  constexpr float kRecLn2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
  constexpr float kLn2Hi = 0.693145751953125f, kLn2Lo = 1.428606765330187045e-06f;
  const int q = rint_int((d.x + d.y) * kRecLn2);
  F2 s = add2(d, static_cast<float>(q) * -kLn2Hi);
  s = add2(s, static_cast<float>(q) * -kLn2Lo);
  s = normalize(s);
  float u = 0.00136324646882712841033936f;
  u = fma_(u, s.x, 0.00836596917361021041870117f);
  u = fma_(u, s.x, 0.0416710823774337768554688f);
  u = fma_(u, s.x, 0.166665524244308471679688f);
  u = fma_(u, s.x, 0.499999850988388061523438f);
  const F2 t = add(1.0f, add(s, mul(square(s), u)));
  if (d.x < -104.0f) return 0.0f;
  return std::ldexp(t.x + t.y, q);  // exact for the normal results this file computes
}

}  // namespace

void sinf_u10_lanes(std::span<const float> in, std::span<float> out) {
  check_sizes(in, out);
  const bool large = any_large(in);
  for (size_t i = 0; i < in.size(); ++i) out[i] = sin_one(in[i], large);
}

void cosf_u10_lanes(std::span<const float> in, std::span<float> out) {
  check_sizes(in, out);
  const bool large = any_large(in);
  for (size_t i = 0; i < in.size(); ++i) out[i] = cos_one(in[i], large);
}

float sinf_u10(float d) { return sin_one(d, !(std::abs(d) < kCodyWaiteMax)); }
float cosf_u10(float d) { return cos_one(d, !(std::abs(d) < kCodyWaiteMax)); }

float powf_u10(float x, float y) {
  if (!(x > 0.0f) || !std::isfinite(x) || !std::isnormal(x) || !std::isfinite(y))
    throw std::domain_error("sleef powf: only normal x > 0 and finite y are supported, got x=" + std::to_string(x) +
                            " y=" + std::to_string(y));
  if (y == 0.0f || x == 1.0f) return 1.0f;
  const float r = exp_df(mul(log_df(x), y));
  return std::isnan(r) ? INFINITY : r;
}

}  // namespace pldr::reference::sleef
