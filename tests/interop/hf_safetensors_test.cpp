// The Hugging Face tiny model in both RoPE pairings (golden/hf, copied into tests/data/hf):
// one uncached pass, and cached decoding with G frozen at the prompt.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "interop/hf_import.h"
#include "tensor/creation.h"

namespace pldr::interop {
namespace {

const std::string kDir = std::string(PLDR_TEST_DATA_DIR) + "/hf/";

nlohmann::json expected() {
  std::ifstream in(kDir + "tiny_expected.json");
  return nlohmann::json::parse(in);
}

std::unique_ptr<PldrModel> load(bool gptj) {
  nlohmann::json config = expected()["config"];
  config["reference_rope"] = gptj;
  auto model = std::make_unique<PldrModel>(PldrConfig::from_json(config), DType::Float64);
  load_safetensors_parameters(*model, kDir + "tiny_model.safetensors");
  return model;
}

double max_abs_diff(const std::vector<double>& a, const nlohmann::json& b) {
  const std::vector<double> flat = [&] {
    std::vector<double> out;
    for (const auto& row : b)
      for (double v : row) out.push_back(v);
    return out;
  }();
  EXPECT_EQ(a.size(), flat.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), flat.size()); ++i) m = std::max(m, std::abs(a[i] - flat[i]));
  return m;
}

class HuggingFaceTiny : public ::testing::TestWithParam<bool> {};

TEST_P(HuggingFaceTiny, FullForwardMatches) {
  const bool gptj = GetParam();
  auto model = load(gptj);
  ag::NoGradGuard no_grad;
  const std::vector<int32_t> ids = expected()["input_ids"][0].get<std::vector<int32_t>>();
  const Tensor logits = model->forward(from_vector(ids, {1, 12})).logits.value();
  const double diff = max_abs_diff(logits.to_vector<double>(),
                                   expected()[gptj ? "full_forward_logits_gptj" : "full_forward_logits_neox"]);
  // float32 weights evaluated in float64; the expected values come from float64 references.
  EXPECT_LT(diff, 1e-7) << (gptj ? "gptj" : "neox");
}

TEST_P(HuggingFaceTiny, CachedDecodeMatches) {
  const bool gptj = GetParam();
  auto model = load(gptj);
  ag::NoGradGuard no_grad;
  const std::vector<int32_t> ids = expected()["input_ids"][0].get<std::vector<int32_t>>();
  InferenceCache cache(model->config().num_hidden_layers);
  std::vector<double> last;
  auto keep_last = [&](const ForwardResult& r) {
    const Tensor l = r.logits.value();
    const auto row = l.select(1, l.shape()[1] - 1).to_vector<double>();
    last.insert(last.end(), row.begin(), row.end());
  };
  keep_last(model->forward(from_vector(std::vector<int32_t>(ids.begin(), ids.begin() + 8), {1, 8}), &cache));
  for (int i = 8; i < 11; ++i) keep_last(model->forward(from_vector(std::vector<int32_t>{ids[i]}, {1, 1}), &cache));
  const double diff =
      max_abs_diff(last, expected()[gptj ? "cached_decode_last_logits_gptj" : "cached_decode_last_logits_neox"]);
  EXPECT_LT(diff, 1e-7) << (gptj ? "gptj" : "neox");
}

INSTANTIATE_TEST_SUITE_P(BothPairings, HuggingFaceTiny, ::testing::Values(true, false));

}  // namespace
}  // namespace pldr::interop
