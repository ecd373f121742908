// PLDR-LLM configuration: every key of docs/pldr-llm.md §1, with the class defaults, JSON in and out, and
// validation that names the offending key.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace pldr {

// What G_LM is: learned by the metric learner, or a predefined buffer (docs/pldr-llm.md §4.4).
enum class GType { Learned, Identity, Random, External };
GType g_type_from_name(const std::string& name);  // "learned"/null, "identity", "random", "external"
const char* g_type_name(GType type);

struct PldrConfig {
  int64_t vocab_size = 32000;
  int64_t hidden_size = 896;         // d
  int64_t num_attention_heads = 14;  // H
  int64_t head_dim = 64;             // dk
  int64_t num_hidden_layers = 5;     // L
  int64_t intermediate_size = 2389;  // FFN GLU width (dff)
  int64_t A_dff = 170;               // metric-learner GLU width
  int64_t num_reslayerA = 8;         // residual units in the metric learner
  int64_t num_denseA = 2;            // GLUs per residual unit
  int64_t max_position_embeddings = 1024;
  double rope_theta = 10000.0;
  bool reference_rope = true;  // true: GPT-J interleaved (v51); false: NeoX rotate-half (v52)
  double layer_norm_eps = 1e-6;
  bool attention_bias = true;
  bool glu_bias = true;
  bool final_bias = true;
  GType custom_G_type = GType::Learned;
  bool cache_first_G = false;  // the G-cache keeps batch item 0's A, A_LM, G for every item (§4.2)
  int64_t pad_token_id = 0;
  int64_t bos_token_id = 2;
  int64_t eos_token_id = 3;

  // Throws std::invalid_argument naming the key and the rule it breaks.
  void validate() const;

  // Reads the keys present in `j` over the defaults; unknown keys are an error (typos).
  // Accepts the Hugging Face names (as above) and the golden files' short names (d_model, ...).
  static PldrConfig from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
};

}  // namespace pldr
