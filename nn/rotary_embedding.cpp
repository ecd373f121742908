#include "nn/rotary_embedding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "tensor/creation.h"

namespace pldr::nn {

RotaryEmbedding::RotaryEmbedding(int64_t head_dim, double theta, int64_t max_positions, RotaryPairing pairing)
    : head_dim_(head_dim), max_positions_(max_positions), pairing_(pairing) {
  if (head_dim % 2 != 0)
    throw std::invalid_argument("rotary embedding: head_dim must be even, got " + std::to_string(head_dim));
  // 1 / base^(2i/dk), every step in float32 (torchtune and Hugging Face both build it so).
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    inv_freq_.push_back(1.0f / std::pow(static_cast<float>(theta), exponent));
  }
}

void RotaryEmbedding::set_table(std::vector<float> cos, std::vector<float> sin) {
  const size_t half = static_cast<size_t>(head_dim_ / 2);
  if (cos.size() != sin.size() || cos.size() % half != 0)
    throw std::invalid_argument("rotary embedding: a table needs [positions, head_dim/2] cos and sin values");
  table_cos_ = std::move(cos);
  table_sin_ = std::move(sin);
  tables_.clear();  // rebuilt from the new values on the next forward
}

const RotaryEmbedding::Table& RotaryEmbedding::table(Device device, int64_t positions) const {
  const auto found = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.device == device; });
  if (found != tables_.end()) {
    const int64_t built = found->cos.shape()[0];
    if (built >= positions) return *found;
    positions = std::max(positions, 2 * built);  // grow geometrically while generating
    if (pairing_ == RotaryPairing::Interleaved) positions = std::min(positions, max_positions_);
    tables_.erase(found);
  }
  const int64_t half = head_dim_ / 2;
  const int64_t preset = static_cast<int64_t>(table_cos_.size()) / half;
  std::vector<float> cos(positions * half), sin(positions * half);
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t i = 0; i < half; ++i) {
      if (p < preset) {
        cos[p * half + i] = table_cos_[p * half + i];
        sin[p * half + i] = table_sin_[p * half + i];
        continue;
      }
      const float angle = static_cast<float>(p) * inv_freq_[i];  // p·θ_i in float32
      cos[p * half + i] = std::cos(angle);
      sin[p * half + i] = std::sin(angle);
    }
  tables_.push_back({device, from_vector(cos, {positions, half}, DType::Float32, device),
                     from_vector(sin, {positions, half}, DType::Float32, device)});
  return tables_.back();
}

ag::Variable RotaryEmbedding::forward(const ag::Variable& x, int64_t offset) const {
  const int64_t seq = x.shape()[1];
  if (pairing_ == RotaryPairing::Interleaved && offset + seq > max_positions_)
    throw std::out_of_range("rotary embedding: position " + std::to_string(offset + seq - 1) +
                            " is past max_position_embeddings " + std::to_string(max_positions_));
  const Table& t = table(x.value().device(), offset + seq);
  const Tensor cos = t.cos.slice(0, offset, offset + seq), sin = t.sin.slice(0, offset, offset + seq);
  const RotaryPairing pairing = pairing_;
  return ag::record(
      ops::rotary(x.value(), cos, sin, pairing, false), "rotary", {x},
      [cos, sin, pairing](const Tensor& g) { return std::vector<Tensor>{ops::rotary(g, cos, sin, pairing, true)}; });
}

}  // namespace pldr::nn
