// Writing a model as a Hugging Face PLDR-LLM folder (the layout of the published checkpoints,
// docs/pldr-llm.md §5): config.json, generation_config.json, model.safetensors (float32) and, when known,
// tokenizer.model with its tokenizer_config.json.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "io/safetensors.h"
#include "pldr/model.h"

namespace pldr::interop {

// config.json for `config`: the pldrllm fields plus model_type, architectures and the fixed
// choices (silu, untied head, default RoPE scaling).
nlohmann::json hf_config_json(const PldrConfig& config);

// generation_config.json: the special ids generation uses ([START] 2, [END] 3, [PAD] 0 by default).
nlohmann::json hf_generation_config_json(const PldrConfig& config);

// tokenizer_config.json for the SentencePiece tokenizer.model: the PLDR-LLM tokenizer class with the
// special pieces, and prompts as the model was trained on them (no [START], no [END]; spec §2).
nlohmann::json hf_tokenizer_config_json(const PldrConfig& config);

// The state dict as HF names it: every parameter, and for custom_G_type identity/random/external
// the persistent buffers decoder.past_G_values [L, 3, 1, H, dk, dk] = [0, 0, G] per layer and
// decoder.past_G_values_status [L] (BOOL, all true). A model with int8 weights gives them as
// interop/int8_folder.h stores them.
io::SafetensorsTensors hf_state_dict(const PldrModel& model);

// Creates `dir` if needed and writes the files there (config.json with the quantization_config of
// interop/int8_folder.h for a model with int8 weights), each atomically (the tokenizer's two only with
// a tokenizer_path).
void export_hf_folder(const PldrModel& model, const std::string& dir, const std::string& tokenizer_path);

}  // namespace pldr::interop
