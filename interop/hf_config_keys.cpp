#include "interop/hf_config_keys.h"

#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "pldr/config.h"

namespace pldr::interop {

namespace {

// transformers' PretrainedConfig: keys every model's config.json may hold, none about the maths.
const std::set<std::string> kGenericKeys{"_attn_implementation",
                                         "_attn_implementation_autoset",
                                         "_commit_hash",
                                         "_name_or_path",
                                         "add_cross_attention",
                                         "architectures",
                                         "bad_words_ids",
                                         "begin_suppress_tokens",
                                         "chunk_size_feed_forward",
                                         "cross_attention_hidden_size",
                                         "decoder_start_token_id",
                                         "diversity_penalty",
                                         "do_sample",
                                         "dtype",
                                         "early_stopping",
                                         "encoder_no_repeat_ngram_size",
                                         "exponential_decay_length_penalty",
                                         "finetuning_task",
                                         "forced_bos_token_id",
                                         "forced_eos_token_id",
                                         "gradient_checkpointing",
                                         "id2label",
                                         "is_decoder",
                                         "is_encoder_decoder",
                                         "label2id",
                                         "length_penalty",
                                         "max_length",
                                         "min_length",
                                         "no_repeat_ngram_size",
                                         "num_beam_groups",
                                         "num_beams",
                                         "num_return_sequences",
                                         "output_attentions",
                                         "output_hidden_states",
                                         "output_scores",
                                         "prefix",
                                         "problem_type",
                                         "pruned_heads",
                                         "remove_invalid_values",
                                         "repetition_penalty",
                                         "return_dict",
                                         "return_dict_in_generate",
                                         "sep_token_id",
                                         "suppress_tokens",
                                         "task_specific_params",
                                         "temperature",
                                         "tf_legacy_loss",
                                         "tie_encoder_decoder",
                                         "tokenizer_class",
                                         "top_k",
                                         "top_p",
                                         "torchscript",
                                         "typical_p",
                                         "use_bfloat16",
                                         "pretraining_tp"};

bool null_or(const nlohmann::json& v, const nlohmann::json& neutral) { return v.is_null() || v == neutral; }

// Keys of other architectures that change a forward pass, with the test for their neutral value.
const std::map<std::string, std::function<bool(const nlohmann::json&, const nlohmann::json&)>> kMathsKeys{
    {"num_key_value_heads",
     [](const nlohmann::json& v, const nlohmann::json& c) {
       return v.is_null() || v == c.value("num_attention_heads", v);
     }},
    {"sliding_window", [](const nlohmann::json& v, const nlohmann::json&) { return v.is_null(); }},
    {"use_sliding_window", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, false); }},
    {"partial_rotary_factor", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, 1.0); }},
    {"rms_norm_eps", [](const nlohmann::json& v, const nlohmann::json&) { return v.is_null(); }},
    {"quantization_config", [](const nlohmann::json& v, const nlohmann::json&) { return v.is_null(); }},
    {"attn_logit_softcapping", [](const nlohmann::json& v, const nlohmann::json&) { return v.is_null(); }},
    {"final_logit_softcapping", [](const nlohmann::json& v, const nlohmann::json&) { return v.is_null(); }},
    {"logit_scale", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, 1.0); }},
    {"mlp_bias", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, false); }},
    {"qk_layernorm", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, false); }},
    {"hidden_dropout", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, 0.0); }},
    {"resid_pdrop", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, 0.0); }},
    {"embd_pdrop", [](const nlohmann::json& v, const nlohmann::json&) { return null_or(v, 0.0); }},
};

// Whether PldrConfig reads `key` (or knows it as a key it checks): any error but "unknown key".
bool pldr_config_key(const std::string& key, const nlohmann::json& value) {
  try {
    PldrConfig::from_json(nlohmann::json{{key, value}});
  } catch (const std::exception& e) {
    return std::string(e.what()).find("unknown key") == std::string::npos;
  }
  return true;
}

}  // namespace

std::vector<std::string> remove_foreign_hf_keys(nlohmann::json& config) {
  std::vector<std::string> ignored, foreign;
  for (const auto& [key, value] : config.items()) {
    if (pldr_config_key(key, value)) continue;
    if (const auto m = kMathsKeys.find(key); m != kMathsKeys.end()) {
      if (!m->second(value, config))
        throw std::invalid_argument("config: " + key + " = " + value.dump() +
                                    " changes the model's computation, which PLDR-LLM does not support");
    } else if (!kGenericKeys.count(key)) {
      ignored.push_back(key);
    }
    foreign.push_back(key);
  }
  for (const std::string& key : foreign) config.erase(key);
  return ignored;
}

}  // namespace pldr::interop
