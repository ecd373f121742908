// Writing a model as a Hugging Face PLDR-LLM folder (the layout of the published checkpoints,
// docs/pldr-llm.md §5): config.json, model.safetensors (float32) and, when known, tokenizer.model.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "io/safetensors.h"
#include "pldr/model.h"

namespace pldr::interop {

// config.json for `config`: the pldrllm fields plus model_type, architectures and the fixed
// choices (silu, untied head, default RoPE scaling).
nlohmann::json hf_config_json(const PldrConfig& config);

// The state dict as HF names it: every parameter, and for custom_G_type identity/random/external
// the persistent buffers decoder.past_G_values [L, 3, 1, H, dk, dk] = [0, 0, G] per layer and
// decoder.past_G_values_status [L] (BOOL, all true).
io::SafetensorsTensors hf_state_dict(const PldrModel& model);

// Creates `dir` if needed and writes the three files there, each atomically.
void export_hf_folder(const PldrModel& model, const std::string& dir, const std::string& tokenizer_path);

}  // namespace pldr::interop
