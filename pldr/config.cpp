#include "pldr/config.h"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace pldr {

GType g_type_from_name(const std::string& name) {
  if (name.empty() || name == "learned" || name == "null") return GType::Learned;
  if (name == "identity") return GType::Identity;
  if (name == "random") return GType::Random;
  if (name == "external") return GType::External;
  throw std::invalid_argument("custom_G_type: unknown value '" + name +
                              "' (expected null, identity, random or external)");
}

const char* g_type_name(GType type) {
  switch (type) {
    case GType::Learned: return "learned";
    case GType::Identity: return "identity";
    case GType::Random: return "random";
    case GType::External: return "external";
  }
  return "?";
}

namespace {
// Keys of a Hugging Face config.json that do not change the maths of a forward pass here.
const std::set<std::string> kHuggingFaceOnlyKeys{
    "architectures", "torch_dtype",       "transformers_version",   "use_cache",
    "auto_map",      "_name_or_path",     "output_pldr_attentions", "initializer_range",
    "num_labels",    "classifier_dropout"};

void require(bool ok, const std::string& key, const std::string& rule) {
  if (!ok) throw std::invalid_argument("config: " + key + " " + rule);
}

// A config value of the type its key needs; std::invalid_argument naming the key otherwise.
int64_t integer_value(const std::string& key, const nlohmann::json& v) {
  if (!v.is_number_integer()) throw std::invalid_argument("config: " + key + " must be an integer");
  return v.get<int64_t>();
}
double number_value(const std::string& key, const nlohmann::json& v) {
  if (!v.is_number()) throw std::invalid_argument("config: " + key + " must be a number");
  return v.get<double>();
}
bool boolean_value(const std::string& key, const nlohmann::json& v) {
  if (!v.is_boolean()) throw std::invalid_argument("config: " + key + " must be true or false");
  return v.get<bool>();
}

// "rope", the golden files' spelling: "gptj_interleaved" or "neox..."; true for the reference
// (GPT-J, interleaved) rotary layout.
bool reference_rope_from_name(const nlohmann::json& v) {
  const std::string r = v.is_string() ? v.get<std::string>() : "";
  if (r.rfind("gptj", 0) != 0 && r.rfind("neox", 0) != 0)
    throw std::invalid_argument("config: rope must start with gptj or neox, got '" + r + "'");
  return r.rfind("gptj", 0) == 0;
}

// Sets the field that `key` (or one of its other spellings) names; false when no field has that
// key.
bool set_field(PldrConfig& c, const std::string& key, const nlohmann::json& v) {
  auto integer = [&]() { return integer_value(key, v); };
  auto number = [&]() { return number_value(key, v); };
  auto boolean = [&]() { return boolean_value(key, v); };
  if (key == "vocab_size") c.vocab_size = integer();
  else if (key == "hidden_size" || key == "d_model") c.hidden_size = integer();
  else if (key == "num_attention_heads" || key == "num_heads") c.num_attention_heads = integer();
  else if (key == "head_dim") c.head_dim = integer();
  else if (key == "num_hidden_layers" || key == "num_layers") c.num_hidden_layers = integer();
  else if (key == "intermediate_size" || key == "dff") c.intermediate_size = integer();
  else if (key == "A_dff") c.A_dff = integer();
  else if (key == "num_reslayerA") c.num_reslayerA = integer();
  else if (key == "num_denseA") c.num_denseA = integer();
  else if (key == "max_position_embeddings" || key == "max_seq_len") c.max_position_embeddings = integer();
  else if (key == "rope_theta") c.rope_theta = number();
  else if (key == "reference_rope") c.reference_rope = boolean();
  else if (key == "rope") c.reference_rope = reference_rope_from_name(v);
  else if (key == "layer_norm_eps") c.layer_norm_eps = number();
  else if (key == "attention_bias") c.attention_bias = boolean();
  else if (key == "glu_bias") c.glu_bias = boolean();
  else if (key == "final_bias") c.final_bias = boolean();
  else if (key == "custom_G_type") c.custom_G_type = g_type_from_name(v.is_null() ? "" : v.get<std::string>());
  else if (key == "pad_token_id") c.pad_token_id = integer();
  else if (key == "bos_token_id") c.bos_token_id = integer();
  else if (key == "eos_token_id") c.eos_token_id = integer();
  else if (key == "cache_first_G") c.cache_first_G = boolean();
  else return false;
  return true;
}

// Checks a key without a field: one whose value is fixed here (dropout, model type, activation,
// untied head, rope scaling) or one that only Hugging Face reads; std::invalid_argument on another
// value or an unknown key.
void check_other_key(const std::string& key, const nlohmann::json& v) {
  if (key == "attention_dropout") {
    if (number_value(key, v) != 0)
      throw std::invalid_argument("config: attention_dropout must be 0 (dropout is not implemented)");
  } else if (key == "model_type") {
    if (v != "pldrllm") throw std::invalid_argument("config: model_type must be pldrllm, got " + v.dump());
  } else if (key == "hidden_act") {
    if (v != "silu") throw std::invalid_argument("config: hidden_act must be silu (the only activation PLDR-LLMs use)");
  } else if (key == "tie_word_embeddings") {
    if (v != false)
      throw std::invalid_argument("config: tie_word_embeddings must be false (PLDR-LLM's head is untied)");
  } else if (key == "rope_scaling") {
    if (!v.is_null() && v.value("rope_type", v.value("type", "default")) != "default")
      throw std::invalid_argument("config: only the default rope_scaling is supported, got " + v.dump());
  } else if (kHuggingFaceOnlyKeys.count(key) == 0) {
    throw std::invalid_argument("config: unknown key '" + key + "'");
  }
}

}  // namespace

void PldrConfig::validate() const {
  require(vocab_size > 3, "vocab_size", "must be > 3 (ids 0..3 are [PAD], [UNK], [START], [END])");
  require(hidden_size > 0, "hidden_size", "must be positive");
  require(num_attention_heads > 0, "num_attention_heads", "must be positive");
  require(head_dim > 0 && head_dim % 2 == 0, "head_dim", "must be positive and even (rotary pairs)");
  require(num_attention_heads * head_dim == hidden_size, "hidden_size",
          "must equal num_attention_heads * head_dim (" + std::to_string(num_attention_heads) + " * " +
              std::to_string(head_dim) + ")");
  require(num_hidden_layers > 0, "num_hidden_layers", "must be positive");
  require(intermediate_size > 0, "intermediate_size", "must be positive");
  require(custom_G_type != GType::Learned || A_dff > 0, "A_dff", "must be positive");
  require(num_reslayerA >= 0, "num_reslayerA", "must be >= 0");
  require(num_denseA >= 0, "num_denseA", "must be >= 0");
  require(max_position_embeddings > 1, "max_position_embeddings", "must be > 1");
  require(rope_theta > 0, "rope_theta", "must be positive");
  require(layer_norm_eps > 0, "layer_norm_eps", "must be positive");
  for (auto [key, id] :
       {std::pair{"pad_token_id", pad_token_id}, {"bos_token_id", bos_token_id}, {"eos_token_id", eos_token_id}})
    require(id >= 0 && id < vocab_size, key, "must be a valid token id");
}

PldrConfig PldrConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("config: expected a JSON object");
  PldrConfig c;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!set_field(c, it.key(), it.value())) check_other_key(it.key(), it.value());
  c.validate();
  return c;
}

nlohmann::json PldrConfig::to_json() const {
  return {{"vocab_size", vocab_size},
          {"hidden_size", hidden_size},
          {"num_attention_heads", num_attention_heads},
          {"head_dim", head_dim},
          {"num_hidden_layers", num_hidden_layers},
          {"intermediate_size", intermediate_size},
          {"A_dff", A_dff},
          {"num_reslayerA", num_reslayerA},
          {"num_denseA", num_denseA},
          {"max_position_embeddings", max_position_embeddings},
          {"rope_theta", rope_theta},
          {"reference_rope", reference_rope},
          {"layer_norm_eps", layer_norm_eps},
          {"attention_bias", attention_bias},
          {"glu_bias", glu_bias},
          {"final_bias", final_bias},
          {"custom_G_type",
           custom_G_type == GType::Learned ? nlohmann::json(nullptr) : nlohmann::json(g_type_name(custom_G_type))},
          {"cache_first_G", cache_first_G},
          {"pad_token_id", pad_token_id},
          {"bos_token_id", bos_token_id},
          {"eos_token_id", eos_token_id}};
}

}  // namespace pldr
