// Hugging Face folders as published (config.json, model.safetensors or shards, custom-G buffers,
// float32/bfloat16/float16 weights) and as exported: the tiny HF model (golden/hf) in both RoPE
// pairings, exported and loaded again identically; float32 weights used in place, others converted
// once; errors that name the file and the field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "interop/hf_export.h"
#include "interop/hf_import.h"
#include "io/safetensors.h"
#include "tensor/backend.h"
#include "tensor/creation.h"

namespace pldr::interop {
namespace {

namespace fs = std::filesystem;
const std::string kDir = std::string(PLDR_TEST_DATA_DIR) + "/hf/";

nlohmann::json expected() {
  std::ifstream in(kDir + "tiny_expected.json");
  return nlohmann::json::parse(in);
}

class HfFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("hf_folder_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A folder as published: config.json (the tiny model's, in one RoPE pairing) and the weights.
  std::string folder(const std::string& name, const nlohmann::json& config, const io::SafetensorsTensors& tensors) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config.dump(2);
    io::write_safetensors((dir / "model.safetensors").string(), tensors);
    return dir.string();
  }
  static nlohmann::json tiny_config(bool gptj) {
    nlohmann::json c = expected()["config"];
    c["reference_rope"] = gptj;
    c["torch_dtype"] = "float32";
    c["architectures"] = {"PldrllmForCausalLM"};
    return c;
  }
  static io::SafetensorsTensors tiny_tensors(const std::string& dtype = "F32") {
    io::SafetensorsTensors t = io::read_safetensors(kDir + "tiny_model.safetensors");
    for (auto& [name, e] : t) e.dtype = dtype;
    return t;
  }
  fs::path root_;
};

std::vector<double> logits(const PldrModel& model) {
  ag::NoGradGuard no_grad;
  const std::vector<int32_t> ids = expected()["input_ids"][0].get<std::vector<int32_t>>();
  return model.forward(from_vector(ids, {1, int64_t(ids.size())})).logits.value().to_vector<double>();
}

double max_abs_diff_to(const std::vector<double>& a, const nlohmann::json& rows) {
  std::vector<double> b;
  for (const auto& row : rows)
    for (double v : row) b.push_back(v);
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

void expect_same_parameters(const PldrModel& a, const PldrModel& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].first, pb[i].first);
    EXPECT_EQ(pa[i].second.value().to_vector<double>(), pb[i].second.value().to_vector<double>()) << pa[i].first;
  }
  ASSERT_EQ(a.predefined_G.size(), b.predefined_G.size());
  for (size_t l = 0; l < a.predefined_G.size(); ++l)
    EXPECT_EQ(a.predefined_G[l].to_vector<double>(), b.predefined_G[l].to_vector<double>()) << "G layer " << l;
}

TEST_F(HfFolder, LoadsInBothPairingsExportsAndLoadsAgainIdentically) {
  for (bool gptj : {true, false}) {
    SCOPED_TRACE(gptj ? "gptj (v51)" : "neox (v52)");
    const HfModel m = load_hf_folder(folder(gptj ? "v51" : "v52", tiny_config(gptj), tiny_tensors()), DType::Float64);
    EXPECT_TRUE(m.tokenizer_path.empty());
    EXPECT_EQ(m.model->config().reference_rope, gptj);
    const std::vector<double> first = logits(*m.model);
    EXPECT_LT(max_abs_diff_to(first, expected()[gptj ? "full_forward_logits_gptj" : "full_forward_logits_neox"]), 1e-7);

    const std::string exported = (root_ / (gptj ? "v51_exported" : "v52_exported")).string();
    export_hf_folder(*m.model, exported, "");
    const HfModel again = load_hf_folder(exported, DType::Float64);
    expect_same_parameters(*m.model, *again.model);
    EXPECT_EQ(logits(*again.model), first);
    EXPECT_EQ(again.model->config().to_json(), m.model->config().to_json());
  }
}

TEST_F(HfFolder, HalfPrecisionWeightsLoadRoundedToTheirPrecision) {
  const HfModel f32 = load_hf_folder(folder("f32", tiny_config(true), tiny_tensors()), DType::Float32);
  for (const auto& [dtype, relative] : {std::pair{"BF16", 1.0 / 256}, {"F16", 1.0 / 2048}}) {
    SCOPED_TRACE(dtype);
    const HfModel half = load_hf_folder(folder(dtype, tiny_config(true), tiny_tensors(dtype)), DType::Float32);
    const auto a = f32.model->named_parameters(), b = half.model->named_parameters();
    size_t changed = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const auto x = a[i].second.value().to_vector<double>(), y = b[i].second.value().to_vector<double>();
      for (size_t k = 0; k < x.size(); ++k) {
        EXPECT_LE(std::abs(x[k] - y[k]), std::abs(x[k]) * relative + 1e-7) << a[i].first << "[" << k << "]";
        changed += x[k] != y[k];
      }
    }
    EXPECT_GT(changed, 0u);  // the weights really went through the narrower type
  }
}

// A float32 model uses float32 weights where they lie in the mapped file: loading allocates nothing
// beyond building the model (one unfilled Storage per parameter), and inference leaves them as the
// file holds them. Anything else converts once, straight into one Storage per parameter. Either way
// the values are read_safetensors' decoded values, exactly.
TEST_F(HfFolder, Float32WeightsAreUsedInPlaceOthersConvertOnce) {
  for (const std::string stored : {"F32", "BF16"}) {
    const std::string dir = folder(stored, tiny_config(true), tiny_tensors(stored));
    const io::SafetensorsTensors file = io::read_safetensors(dir + "/model.safetensors");
    for (DType dtype : {DType::Float32, DType::Float64}) {
      SCOPED_TRACE(stored + " into " + dtype_name(dtype));
      reset_runtime_counts();
      const HfModel m = load_hf_folder(dir, dtype);
      const auto params = m.model->named_parameters();
      const size_t per_parameter = stored == "F32" && dtype == DType::Float32 ? 1 : 2;
      EXPECT_EQ(runtime_counts().allocations, params.size() * per_parameter);
      logits(*m.model);
      for (const auto& [name, p] : params) EXPECT_EQ(p.value().to_vector<double>(), file.at(name).values) << name;
    }
  }
}

TEST_F(HfFolder, ShardedWeightsLoadLikeOneFile) {
  const io::SafetensorsTensors all = tiny_tensors();
  const fs::path dir = root_ / "sharded";
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << tiny_config(false).dump();
  io::SafetensorsTensors shard[2];
  nlohmann::json index{{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  int k = 0;
  for (const auto& [name, e] : all) {
    const int s = k++ % 2;
    shard[s][name] = e;
    index["weight_map"][name] = "model-0000" + std::to_string(s + 1) + "-of-00002.safetensors";
  }
  for (int s = 0; s < 2; ++s)
    io::write_safetensors((dir / ("model-0000" + std::to_string(s + 1) + "-of-00002.safetensors")).string(), shard[s]);
  std::ofstream(dir / "model.safetensors.index.json") << index.dump();
  const HfModel sharded = load_hf_folder(dir.string(), DType::Float64);
  const HfModel single = load_hf_folder(folder("single", tiny_config(false), all), DType::Float64);
  expect_same_parameters(*sharded.model, *single.model);

  // The index says where each tensor is; a wrong shard is an error naming the index and tensor.
  const std::string moved = all.begin()->first;
  index["weight_map"][moved] = index["weight_map"][moved] == "model-00001-of-00002.safetensors"
                                   ? "model-00002-of-00002.safetensors"
                                   : "model-00001-of-00002.safetensors";
  std::ofstream(dir / "model.safetensors.index.json") << index.dump();
  try {
    load_hf_folder(dir.string(), DType::Float64);
    ADD_FAILURE() << "a wrong weight_map entry loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors.index.json: weight_map." + moved), std::string::npos)
        << e.what();
  }
}

TEST_F(HfFolder, CustomGVariantsLoadTheirStoredGInAnyDtypeAndExportIt) {
  nlohmann::json config = tiny_config(true);
  config["custom_G_type"] = "external";
  io::SafetensorsTensors tensors;
  for (auto& [name, e] : tiny_tensors())
    if (name.find("plgatt_layer") == std::string::npos && name.find("reslayerAs") == std::string::npos &&
        name.find("mha1.layernorm1") == std::string::npos)
      tensors[name] = e;
  const int64_t L = 2, H = 2, dk = 8;
  io::SafetensorsEntry G{"F16", {L, 3, 1, H, dk, dk}, {}};
  for (int64_t i = 0; i < L * 3 * H * dk * dk; ++i) G.values.push_back(std::ldexp(double((i * 37) % 101) - 50, -4));
  tensors["decoder.past_G_values"] = G;
  tensors["decoder.past_G_values_status"] = {"BOOL", {L}, {1, 1}};
  const HfModel m = load_hf_folder(folder("external", config, tensors), DType::Float64);
  ASSERT_EQ(m.model->predefined_G.size(), 2u);
  for (int64_t l = 0; l < L; ++l) {
    const auto first = G.values.begin() + (l * 3 + 2) * H * dk * dk;
    EXPECT_EQ(m.model->predefined_G[l].to_vector<double>(), std::vector<double>(first, first + H * dk * dk))
        << "layer " << l;
  }
  const std::string exported = (root_ / "external_exported").string();
  export_hf_folder(*m.model, exported, "");
  const HfModel again = load_hf_folder(exported, DType::Float64);
  EXPECT_EQ(again.model->config().custom_G_type, GType::External);
  expect_same_parameters(*m.model, *again.model);
  EXPECT_EQ(logits(*again.model), logits(*m.model));

  tensors["decoder.past_G_values_status"] = {"BOOL", {L}, {1, 0}};
  try {
    load_hf_folder(folder("unset", config, tensors), DType::Float64);
    ADD_FAILURE() << "an unset G loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("decoder.past_G_values_status[1] is false"), std::string::npos) << e.what();
  }
}

TEST_F(HfFolder, ErrorsNameTheFileAndTheField) {
  auto message = [&](const std::string& dir) {
    try {
      load_hf_folder(dir, DType::Float32);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(loaded)");
  };
  nlohmann::json bad = tiny_config(true);
  bad["num_hidden_layers"] = "two";
  std::string m = message(folder("bad_field", bad, tiny_tensors()));
  EXPECT_NE(m.find("bad_field/config.json: num_hidden_layers must be an integer"), std::string::npos) << m;
  bad = tiny_config(true);
  bad["model_type"] = "llama";
  m = message(folder("llama", bad, tiny_tensors()));
  EXPECT_NE(m.find("config.json: model_type must be pldrllm"), std::string::npos) << m;

  io::SafetensorsTensors missing = tiny_tensors();
  missing.erase("final_layer.bias");
  m = message(folder("missing", tiny_config(true), missing));
  EXPECT_NE(m.find("missing/model.safetensors: lacks tensor final_layer.bias"), std::string::npos) << m;

  io::SafetensorsTensors reshaped = tiny_tensors();
  reshaped["decoder.embedding.weight"].shape = {16, 50};
  m = message(folder("reshaped", tiny_config(true), reshaped));
  EXPECT_NE(m.find("tensor decoder.embedding.weight has shape [16,50]"), std::string::npos) << m;

  const fs::path empty = root_ / "empty";
  fs::create_directories(empty);
  EXPECT_NE(message(empty.string()).find("empty/config.json: cannot be opened"), std::string::npos)
      << message(empty.string());
  std::ofstream(empty / "config.json") << tiny_config(true).dump();
  EXPECT_NE(message(empty.string()).find("has neither model.safetensors nor model.safetensors.index.json"),
            std::string::npos);
}

}  // namespace
}  // namespace pldr::interop
