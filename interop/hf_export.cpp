#include "interop/hf_export.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "interop/int8_folder.h"
#include "io/atomic_file.h"
#include "pldr/int8_weights.h"

namespace pldr::interop {

nlohmann::json hf_config_json(const PldrConfig& config) {
  nlohmann::json j = config.to_json();
  j["model_type"] = "pldrllm";
  j["architectures"] = {"PldrllmForCausalLM"};
  j["hidden_act"] = "silu";
  j["tie_word_embeddings"] = false;
  j["rope_scaling"] = nullptr;
  j["attention_dropout"] = 0.0;
  j["use_cache"] = true;
  j["torch_dtype"] = "float32";
  return j;
}

nlohmann::json hf_generation_config_json(const PldrConfig& config) {
  return {{"_from_model_config", true},
          {"bos_token_id", config.bos_token_id},
          {"eos_token_id", config.eos_token_id},
          {"pad_token_id", config.pad_token_id}};
}

nlohmann::json hf_tokenizer_config_json(const PldrConfig& config) {
  return {{"tokenizer_class", "PldrllmTokenizer"},
          {"add_bos_token", false},
          {"add_eos_token", false},
          {"legacy", false},
          {"bos_token", "[START]"},
          {"eos_token", "[END]"},
          {"pad_token", "[PAD]"},
          {"unk_token", "[UNK]"},
          {"model_max_length", config.max_position_embeddings},
          {"clean_up_tokenization_spaces", false},
          {"sp_model_kwargs", nlohmann::json::object()}};
}

io::SafetensorsTensors hf_state_dict(const PldrModel& model) {
  io::SafetensorsTensors out;
  for (const auto& [name, p] : model.named_parameters()) {
    const Shape& s = p.shape();
    out[name] = {"F32", std::vector<int64_t>(s.begin(), s.end()), p.value().contiguous().to_vector<double>()};
  }
  add_int8_tensors(model, out);
  if (model.predefined_G.empty()) return out;
  const PldrConfig& c = model.config();
  const int64_t L = c.num_hidden_layers, H = c.num_attention_heads, dk = c.head_dim;
  io::SafetensorsEntry buffer{"F32", {L, 3, 1, H, dk, dk}, {}};
  buffer.values.reserve(size_t(L * 3 * H * dk * dk));
  for (int64_t l = 0; l < L; ++l) {
    buffer.values.insert(buffer.values.end(), size_t(2 * H * dk * dk), 0.0);  // A and A_LM are zeros for predefined G
    const std::vector<double> G = model.predefined_G[l].contiguous().to_vector<double>();
    buffer.values.insert(buffer.values.end(), G.begin(), G.end());
  }
  out["decoder.past_G_values"] = std::move(buffer);
  out["decoder.past_G_values_status"] = {"BOOL", {L}, std::vector<double>(size_t(L), 1.0)};
  return out;
}

void export_hf_folder(const PldrModel& model, const std::string& dir, const std::string& tokenizer_path) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path folder(dir);
  nlohmann::json config = hf_config_json(model.config());
  if (has_int8_weights(model)) config["quantization_config"] = int8_quantization_config();
  io::write_file_atomically((folder / "config.json").string(), config.dump(2) + "\n");
  io::write_file_atomically((folder / "generation_config.json").string(),
                            hf_generation_config_json(model.config()).dump(2) + "\n");
  io::write_safetensors((folder / "model.safetensors").string(), hf_state_dict(model), {{"format", "pt"}});
  if (tokenizer_path.empty()) return;
  std::ifstream in(tokenizer_path, std::ios::binary);
  if (!in) throw std::runtime_error("tokenizer " + tokenizer_path + ": cannot be opened for export");
  io::write_file_atomically((folder / "tokenizer.model").string(),
                            std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  io::write_file_atomically((folder / "tokenizer_config.json").string(),
                            hf_tokenizer_config_json(model.config()).dump(2) + "\n");
}

}  // namespace pldr::interop
