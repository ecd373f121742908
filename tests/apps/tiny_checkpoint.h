// A small random float32 checkpoint with the published 32k tokenizer (PLDR_TOKENIZER), for
// tests that run the `pldr` tool on a model.
#pragma once
#include <string>

#include "data/tokenizer.h"
#include "train/checkpoint.h"

namespace pldr::testing {

inline void save_tiny_checkpoint(const std::string& path, int64_t max_positions, uint64_t seed) {
  RunConfig c;
  c.model.vocab_size = 32000;
  c.model.hidden_size = 16;
  c.model.num_attention_heads = 2;
  c.model.head_dim = 8;
  c.model.num_hidden_layers = 2;
  c.model.intermediate_size = 24;
  c.model.A_dff = 12;
  c.model.num_reslayerA = 1;
  c.model.num_denseA = 1;
  c.model.max_position_embeddings = max_positions;
  c.data.train = "unused.tok";
  c.data.context = max_positions / 2;
  c.tokenizer = PLDR_TOKENIZER;
  PldrModel model(c.model, DType::Float32);
  model.initialize(seed);
  TrainingState state;
  state.tokenizer_identity = data::Tokenizer::load(PLDR_TOKENIZER).identity();
  save_checkpoint(path, c, model, nullptr, state);
}

}  // namespace pldr::testing
