#include "tensor/random.h"

#include <cmath>

namespace pldr {

// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
PhiloxBlock philox4x32(uint64_t key, uint64_t counter) {
  uint32_t c[4] = {uint32_t(counter), uint32_t(counter >> 32), 0, 0};
  uint32_t k[2] = {uint32_t(key), uint32_t(key >> 32)};
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c[0];
    const uint64_t p1 = uint64_t(0xCD9E8D57u) * c[2];
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c[1] ^ k[0];
    const uint32_t n2 = uint32_t(p0 >> 32) ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = uint32_t(p1);
    c[2] = n2;
    c[3] = uint32_t(p0);
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
  return {{c[0], c[1], c[2], c[3]}};
}

namespace {
// A double in (0, 1] from two 32-bit words (53 random bits).
double unit(uint32_t hi, uint32_t lo) {
  const uint64_t bits = (uint64_t(hi) << 21) ^ (uint64_t(lo) >> 11);
  return (double(bits & ((uint64_t(1) << 53) - 1)) + 1.0) / 9007199254740992.0;
}

// Element i of a draw is value(philox4x32(seed, offset + i)): values do not depend on how
// elements are split between threads. Returns the draw converted to `dtype` on `device`.
template <class F>
Tensor draw(uint64_t seed, uint64_t& offset, const Shape& shape, DType dtype, Device device, F value) {
  Tensor t = Tensor::uninitialized(shape, DType::Float64);
  double* p = t.data<double>();
  const int64_t n = t.numel();
  const uint64_t base = offset;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) p[i] = value(philox4x32(seed, base + uint64_t(i)));
  offset += uint64_t(n);
  return t.to(dtype).to(device);
}

}  // namespace

// Box-Muller on the block's two uniforms.
Tensor Generator::normal(const Shape& shape, double mean, double stddev, DType dtype, Device device) {
  return draw(seed_, offset_, shape, dtype, device, [=](const PhiloxBlock& b) {
    const double u1 = unit(b.w[0], b.w[1]), u2 = unit(b.w[2], b.w[3]);
    return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  });
}

Tensor Generator::uniform(const Shape& shape, double low, double high, DType dtype, Device device) {
  return draw(seed_, offset_, shape, dtype, device,
              [=](const PhiloxBlock& b) { return low + (high - low) * (1.0 - unit(b.w[0], b.w[1])); });
}

uint64_t Generator::next_u64() {
  const PhiloxBlock b = philox4x32(seed_, offset_++);
  return (uint64_t(b.w[0]) << 32) | b.w[1];
}

}  // namespace pldr
