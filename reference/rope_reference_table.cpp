#include "reference/rope_reference_table.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

#include "reference/sleef_float.h"

namespace pldr::reference {

namespace {

// vml::vcos / vml::vsin over a contiguous buffer: W lanes at a time from its start.
void map_cos_sin(const std::vector<float>& angles, std::vector<float>& cos, std::vector<float>& sin, SimdLanes lanes) {
  const size_t w = static_cast<size_t>(lanes), n = angles.size();
  cos.resize(n);
  sin.resize(n);
  for (size_t start = 0; start < n; start += w) {
    const size_t count = std::min(w, n - start);
    const std::span<const float> in(angles.data() + start, count);
    sleef::cosf_u10_lanes(in, std::span<float>(cos.data() + start, count));
    sleef::sinf_u10_lanes(in, std::span<float>(sin.data() + start, count));
  }
}

}  // namespace

std::vector<float> reference_inverse_frequencies(int64_t head_dim, double base, SimdLanes lanes) {
  if (head_dim <= 0 || head_dim % 2 != 0)
    throw std::invalid_argument("rope table: head_dim must be even and positive, got " + std::to_string(head_dim));
  if (!(base > 0) || !std::isfinite(base))
    throw std::invalid_argument("rope table: the base (rope_theta) must be positive and finite");
  const int64_t half = head_dim / 2, block = 2 * static_cast<int64_t>(lanes);
  const int64_t vectorised = half / block * block;  // cpu_kernel_vec's unrolled vector loop; the rest is scalar
  const float b = static_cast<float>(base);
  std::vector<float> theta(half);
  for (int64_t i = 0; i < half; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    const float power = i < vectorised ? sleef::powf_u10(b, exponent) : std::pow(b, exponent);
    theta[i] = 1.0f / power;
  }
  return theta;
}

RopeTable reference_rope_table(int64_t head_dim, double base, int64_t positions, RotaryPairing pairing,
                               SimdLanes lanes) {
  if (positions < 0 || positions > (int64_t(1) << 24))
    throw std::invalid_argument("rope table: positions must be in [0, 2^24], got " + std::to_string(positions));
  const std::vector<float> theta = reference_inverse_frequencies(head_dim, base, lanes);
  const int64_t half = head_dim / 2;
  // The buffer PyTorch maps: one row of dk/2 angles per position (torchtune), or the row twice (HF).
  const int64_t row = pairing == RotaryPairing::Interleaved ? half : 2 * half;
  std::vector<float> angles(static_cast<size_t>(positions * row));
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t j = 0; j < row; ++j) angles[p * row + j] = static_cast<float>(p) * theta[j % half];
  std::vector<float> cos, sin;
  map_cos_sin(angles, cos, sin, lanes);
  RopeTable table{positions, half, {}, {}};
  table.cos.reserve(positions * half);
  table.sin.reserve(positions * half);
  for (int64_t p = 0; p < positions; ++p) {
    table.cos.insert(table.cos.end(), cos.begin() + p * row, cos.begin() + p * row + half);
    table.sin.insert(table.sin.end(), sin.begin() + p * row, sin.begin() + p * row + half);
  }
  return table;
}

}  // namespace pldr::reference
