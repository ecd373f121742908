// The keys of a Hugging Face config.json that PldrConfig does not read. A folder saved by another
// transformers version carries keys of its own (`dtype` for `torch_dtype`, generation defaults,
// attention backends); only a key that would change the model's computation must stop loading.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pldr::interop {

// Removes from `config` every key PldrConfig::from_json does not know: transformers' generic
// PretrainedConfig keys silently; a key that changes the computation in a way PLDR-LLM does not
// support (grouped-query heads, sliding windows, RMS norm, quantization, logit soft-capping, ...)
// unless its value is the neutral one: std::invalid_argument naming it; any other key is removed
// and returned, for a warning.
std::vector<std::string> remove_foreign_hf_keys(nlohmann::json& config);

}  // namespace pldr::interop
