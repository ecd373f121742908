// A small random float64 PLDR-LLM for behaviour tests (not the golden one).
#pragma once
#include "pldr/model.h"

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

}  // namespace pldr::testing
