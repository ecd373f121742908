// How a Hugging Face folder stores int8 weights (docs/int8.md), as `pldr quantize` writes it:
// config.json carries "quantization_config": {"quant_method": "pldr_int8", ...}, and
// model.safetensors holds, for each layer int8_layer_names lists, "<layer>.weight" as I8
// [rows, cols] with "<layer>.weight_scale" F32 [rows] (w ≈ weight_scale[r] · weight[r][c]); every
// other tensor is stored as in a float folder.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"
#include "pldr/model.h"

namespace pldr::interop {

inline constexpr const char* kInt8ScaleSuffix = ".weight_scale";
inline constexpr const char* kInt8Method = "pldr_int8";

// The quantization_config of an int8 folder.
nlohmann::json int8_quantization_config();

// Whether `config` (of the file `path`) describes an int8 folder; its quantization_config is then
// removed, leaving the model's fields. Throws naming the file for a quantization_config this
// loader does not know (another method, or ours with other settings). A null or absent one: false.
bool take_int8_quantization(nlohmann::json& config, const std::string& path);

// Adds the int8 weights and their scales of a model with int8 weights to `tensors`.
void add_int8_tensors(const PldrModel& model, io::SafetensorsTensors& tensors);

}  // namespace pldr::interop
