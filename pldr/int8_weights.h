// The PLDR-LLM with int8 weights (docs/int8.md): which layers are stored int8, converting a model
// in place, and the layers' int8 weights by name for writers and loaders.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "pldr/model.h"

namespace pldr {

// The layers int8 covers, by the name of their weight's prefix ("decoder.embedding",
// "decoder.dec_layers.0.mha1.wq", ..., "final_layer"): the token embedding, attention's wq, wk,
// wv and dense, the feed-forward network's gluw1-3 and the LM head. The metric learner (the
// residual GLUs on A and the power-law parameters) and every LayerNorm stay float32.
std::vector<std::string> int8_layer_names(const PldrConfig& config);

// Replaces the float weights of every layer int8_layer_names lists by their int8 form, dropping
// the float ones. The model must be float32 on the CPU; layers already int8 are left as they are.
void quantize_to_int8(PldrModel& model);

// Sets each listed layer's int8 weight from `weight(name, [rows, cols])` (a loader's source).
void set_int8_weights(PldrModel& model,
                      const std::function<Int8Matrix(const std::string& name, const Shape& shape)>& weight);

// Whether the model's weights are int8 (set by one of the two above).
bool has_int8_weights(const PldrModel& model);

// The int8 weights by layer name, in int8_layer_names' order; empty for a float model.
std::vector<std::pair<std::string, const Int8Matrix*>> int8_weights(const PldrModel& model);

}  // namespace pldr
