// int8 weights (docs/int8.md) on the bundled tiny model: logits close to float32, greedy
// generation, the folder `pldr quantize` writes loading back to the same logits, and the errors:
// float weights asked of an int8 folder, a dtype other than float32, an unknown
// quantization_config, training (a forward that records gradients).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "interop/hf_export.h"
#include "interop/hf_import.h"
#include "interop/int8_folder.h"
#include "io/safetensors.h"
#include "pldr/generate.h"
#include "pldr/int8_weights.h"
#include "tensor/creation.h"

namespace pldr::interop {
namespace {

namespace fs = std::filesystem;
const std::string kDir = std::string(PLDR_TEST_DATA_DIR) + "/hf/";

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

class Int8Folder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("int8_folder_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "tiny");
    std::ifstream in(kDir + "tiny_expected.json");
    std::ofstream(root_ / "tiny" / "config.json") << nlohmann::json::parse(in)["config"].dump(2);
    fs::copy_file(kDir + "tiny_model.safetensors", root_ / "tiny" / "model.safetensors");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string dir(const std::string& name) const { return (root_ / name).string(); }
  fs::path root_;
};

const std::vector<int32_t> kIds{2, 15, 7, 31, 4, 49, 11, 23, 8, 3};

std::vector<float> logits(const PldrModel& model) {
  const ag::NoGradGuard no_grad;
  return model.forward(from_vector(kIds, {1, int64_t(kIds.size())}, DType::Int32)).logits.value().to_vector<float>();
}

TEST_F(Int8Folder, LogitsAreCloseToFloat32AndGreedyGenerationRuns) {
  const HfModel f32 = load_hf_folder(dir("tiny"), DType::Float32);
  const HfModel int8 = load_hf_folder(dir("tiny"), DType::Float32, Weights::Int8);
  ASSERT_FALSE(has_int8_weights(*f32.model));
  ASSERT_TRUE(has_int8_weights(*int8.model));
  // The float weights of the int8 layers are gone; the metric learner and the norms stay.
  const size_t layers = int8_layer_names(int8.model->config()).size();
  EXPECT_EQ(int8_weights(*int8.model).size(), layers);
  EXPECT_EQ(int8.model->named_parameters().size() + layers, f32.model->named_parameters().size());

  const std::vector<float> a = logits(*f32.model), b = logits(*int8.model);
  ASSERT_EQ(a.size(), b.size());
  double largest = 0, worst = 0, mean = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    largest = std::max(largest, double(std::fabs(a[i])));
    worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    mean += std::fabs(a[i] - b[i]) / a.size();
  }
  EXPECT_GT(worst, 0.0);             // the int8 weights are what ran
  EXPECT_LT(worst, 0.03 * largest);  // and they are close to float32
  EXPECT_LT(mean, 0.005 * largest);
  // The same most likely token at every position.
  const int64_t V = int8.model->config().vocab_size;
  for (size_t s = 0; s < kIds.size(); ++s) {
    auto row = [&](const std::vector<float>& v) {
      return std::max_element(v.begin() + s * V, v.begin() + (s + 1) * V) - (v.begin() + s * V);
    };
    EXPECT_EQ(row(a), row(b)) << "position " << s;
  }

  GenerationOptions o;
  o.max_new_tokens = 8;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  const GenerationResult r = generate(*int8.model, {2, 15, 7}, o);
  ASSERT_EQ(r.tokens.size(), 8u);
  for (int32_t t : r.tokens) EXPECT_TRUE(t >= 0 && t < V) << t;
}

TEST_F(Int8Folder, TheQuantizedFolderGivesTheLogitsOfQuantisingAtLoad) {
  const HfModel at_load = load_hf_folder(dir("tiny"), DType::Float32, Weights::Int8);
  export_hf_folder(*at_load.model, dir("int8"), "");
  // The file holds I8 weights with their scales; config.json says so.
  const io::SafetensorsTensors t = io::read_safetensors(dir("int8") + "/model.safetensors");
  EXPECT_EQ(t.at("final_layer.weight").dtype, "I8");
  EXPECT_EQ(t.at("decoder.dec_layers.1.ffn.gluw3.weight_scale").dtype, "F32");
  EXPECT_EQ(t.at("decoder.dec_layers.0.mha1.reslayerAs.0.denseAs.0.gluw1.weight").dtype, "F32");
  std::ifstream in(dir("int8") + "/config.json");
  EXPECT_EQ(nlohmann::json::parse(in)["quantization_config"]["quant_method"], kInt8Method);

  const HfModel stored = load_hf_folder(dir("int8"), DType::Float32);  // as stored: int8
  ASSERT_TRUE(has_int8_weights(*stored.model));
  EXPECT_EQ(logits(*stored.model), logits(*at_load.model));  // bit for bit
  const HfModel asked = load_hf_folder(dir("int8"), DType::Float32, Weights::Int8);
  EXPECT_EQ(logits(*asked.model), logits(*at_load.model));

  EXPECT_NE(message_of([&] { load_hf_folder(dir("int8"), DType::Float32, Weights::Float); }).find("holds int8 weights"),
            std::string::npos);
  EXPECT_NE(message_of([&] { load_hf_folder(dir("int8"), DType::Float64); }).find("float64"), std::string::npos);
  EXPECT_NE(message_of([&] { load_hf_folder(dir("tiny"), DType::Float64, Weights::Int8); }).find("float64"),
            std::string::npos);
}

TEST_F(Int8Folder, AnUnknownQuantizationIsRefused) {
  fs::create_directories(dir("other"));
  std::ifstream in(kDir + "tiny_expected.json");
  nlohmann::json config = nlohmann::json::parse(in)["config"];
  config["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}};
  std::ofstream(dir("other") + "/config.json") << config.dump(2);
  fs::copy_file(kDir + "tiny_model.safetensors", dir("other") + "/model.safetensors");
  const std::string m = message_of([&] { load_hf_folder(dir("other"), DType::Float32); });
  EXPECT_NE(m.find("quantization_config"), std::string::npos) << m;
  EXPECT_NE(m.find("gptq"), std::string::npos) << m;
}

TEST_F(Int8Folder, TrainingWithInt8WeightsIsRefused) {
  const HfModel int8 = load_hf_folder(dir("tiny"), DType::Float32, Weights::Int8);
  ASSERT_TRUE(ag::grad_enabled());
  const std::string m = message_of([&] {
    int8.model->forward(from_vector(kIds, {1, int64_t(kIds.size())}, DType::Int32));
  });
  EXPECT_NE(m.find("int8 weights are for inference only"), std::string::npos) << m;
}

}  // namespace
}  // namespace pldr::interop
