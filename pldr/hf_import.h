// Loading Hugging Face PLDR-LLM weights (model.safetensors + config.json). The tensor names
// are the reference's state_dict names (spec §5), so the mapping is the identity.
#pragma once
#include <memory>
#include <string>

#include "pldr/model.h"

namespace pldr {

// Every model parameter must be present with its configured shape; extra tensors (e.g. the
// non-persistent RoPE buffers of older exports) are ignored. Errors name the file and tensor.
void load_safetensors_parameters(PldrModel& model, const std::string& safetensors_path);

}  // namespace pldr
