// Loading a Hugging Face PLDR-LLM folder as published: config.json (docs/pldr-llm.md §1), the weights in
// model.safetensors or in shards listed by model.safetensors.index.json (float32, bfloat16,
// float16 or float64; converted to the requested dtype), and tokenizer.model. The tensor names
// are the reference's state_dict names (docs/pldr-llm.md §5), so the mapping is the identity. The weights are
// memory-mapped (io/safetensors.h): float32 weights of a float32 model are used in place, and the
// model holds the mapping until its last parameter goes.
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "pldr/model.h"

namespace pldr::interop {

// The model configuration in a config.json (HF names, null hidden_size / intermediate_size
// resolved as the HF class does). Errors name the file and the field.
// Keys of other transformers versions and architectures are handled as hf_config_keys.h says; the
// unknown ones ignored go to `ignored_keys` when given.
PldrConfig read_hf_config(const std::string& config_path, std::vector<std::string>* ignored_keys = nullptr);
PldrConfig hf_config_from_json(const nlohmann::json& j,
                               std::vector<std::string>* ignored_keys = nullptr);  // errors name the field

struct HfModel {
  std::unique_ptr<PldrModel> model;
  std::string tokenizer_path;             // <dir>/tokenizer.model, or empty when the folder has none
  std::vector<std::string> ignored_keys;  // config.json keys neither PLDR-LLM's nor transformers' generic ones
};

// The weights a folder is loaded with (docs/int8.md): as it stores them, float (its floats
// converted to `dtype`) or int8 (quantised at load from stored floats, one layer at a time).
enum class Weights { AsStored, Float, Int8 };

// Throws naming the file and the field or tensor: a missing config.json or weights file, a bad
// field, a missing tensor or one of the wrong shape, custom-G buffers missing or unset; float
// weights asked of an int8 folder (pldr quantize's), int8 weights with a dtype other than float32.
HfModel load_hf_folder(const std::string& dir, DType dtype, Weights weights = Weights::AsStored);

// Every model parameter must be present with its configured shape; for custom_G_type
// identity/random/external, G comes from decoder.past_G_values [L, 3, 1, H, dk, dk] (index 2),
// whose decoder.past_G_values_status [L] must be all set (docs/pldr-llm.md §4.4). Other tensors (the
// non-persistent RoPE buffers of older exports) are ignored.
void load_safetensors_parameters(PldrModel& model, const std::string& safetensors_path);

}  // namespace pldr::interop
