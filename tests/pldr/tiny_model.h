// A small random float64 PLDR-LLM for behaviour tests (not the golden one), and helpers.
#pragma once
#include <algorithm>
#include <cmath>

#include "pldr/model.h"
#include "tensor/creation.h"

namespace pldr::testing {

inline PldrConfig tiny_config(GType g = GType::Learned) {
  PldrConfig c;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.num_attention_heads = 2;
  c.head_dim = 8;
  c.num_hidden_layers = 2;
  c.intermediate_size = 24;
  c.A_dff = 12;
  c.num_reslayerA = 2;
  c.num_denseA = 2;
  c.max_position_embeddings = 64;
  c.custom_G_type = g;
  return c;
}

inline std::unique_ptr<PldrModel> tiny_model(uint64_t seed = 7, GType g = GType::Learned) {
  auto m = std::make_unique<PldrModel>(tiny_config(g), DType::Float64);
  m->initialize(seed);
  return m;
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}

// One sequence of token ids as int32 [1, S].
inline Tensor ids(const std::vector<int32_t>& v) { return from_vector(v, {1, static_cast<int64_t>(v.size())}); }

}  // namespace pldr::testing
