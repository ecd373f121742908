// Model structure and the reference's quirks (docs/pldr-llm.md §5, §10).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

using testing::ids;
using testing::max_abs_diff;

TEST(PldrModel, DefaultConfigHasTheReferenceParameterCount) {
  PldrModel model(PldrConfig{}, DType::Float32);  // docs/pldr-llm.md §5: 690 tensors, 109,689,362 parameters
  EXPECT_EQ(model.named_parameters().size(), 690u);
  EXPECT_EQ(model.parameter_count(), 109689362);
}

TEST(PldrModel, ParameterNamesAreTheStateDictNames) {
  PldrModel model(testing::tiny_config(), DType::Float32);
  std::vector<std::string> names;
  for (const auto& [n, p] : model.named_parameters()) names.push_back(n);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("decoder.embedding.weight"));
  EXPECT_TRUE(has("decoder.layernorm1.bias"));
  EXPECT_TRUE(has("decoder.dec_layers.1.mha1.wq.weight"));
  EXPECT_TRUE(has("decoder.dec_layers.0.mha1.plgatt_layer.pwlst"));
  EXPECT_TRUE(has("decoder.dec_layers.0.mha1.layernorm1.weight"));
  EXPECT_TRUE(has("decoder.dec_layers.0.mha1.reslayerAs.1.denseAs.1.gluw3.bias"));
  EXPECT_TRUE(has("decoder.dec_layers.0.mha1.reslayerAs.0.layernormA.weight"));
  EXPECT_TRUE(has("decoder.dec_layers.1.ffn.gluw2.weight"));
  EXPECT_TRUE(has("decoder.dec_layers.1.layernorm2.weight"));
  EXPECT_TRUE(has("final_layer.bias"));
  EXPECT_EQ(model.decoder.dec_layers[0]->mha1.plgatt_layer->Wlst.shape(), (Shape{2, 8, 8}));
}

TEST(PldrModel, PredefinedGModelsHaveNoMetricLearner) {
  for (GType g : {GType::Identity, GType::Random, GType::External}) {
    PldrModel model(testing::tiny_config(g), DType::Float32);
    for (const auto& [n, p] : model.named_parameters()) {
      EXPECT_EQ(n.find("plgatt_layer"), std::string::npos) << n;
      EXPECT_EQ(n.find("reslayerAs"), std::string::npos) << n;
      EXPECT_EQ(n.find("mha1.layernorm1"), std::string::npos) << n;
    }
    EXPECT_EQ(model.predefined_G.size(), 2u);
  }
}

TEST(PldrModel, RejectsBadIds) {
  auto model = testing::tiny_model();
  EXPECT_THROW(model->forward(from_vector(std::vector<float>{1, 2}, {1, 2})), std::invalid_argument);
  EXPECT_THROW(model->forward(ids({1, 99})), std::out_of_range);
}

// §10.1: A sums q qᵀ over every position, so a later token changes earlier logits; position 0
// attends only to itself but still sees G... except that G enters only through q_0 G k_0,
// a single score whose softmax is 1, so position 0 is immune.
TEST(PldrQuirks, LaterTokensChangeEarlierLogitsThroughA) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  const Tensor a = model->forward(ids({5, 9, 14, 7, 22, 30})).logits.value();
  const Tensor b = model->forward(ids({5, 9, 14, 7, 22, 31})).logits.value();
  EXPECT_EQ(max_abs_diff(a.slice(1, 0, 1), b.slice(1, 0, 1)), 0.0);  // position 0 immune
  for (int64_t s = 1; s < 5; ++s) EXPECT_GT(max_abs_diff(a.slice(1, s, s + 1), b.slice(1, s, s + 1)), 1e-9) << s;
}

// §10.3: a pad (id 0) is masked as a key, but its query still enters A.
TEST(PldrQuirks, PadsEnterA) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  const Tensor a = model->forward(ids({5, 9, 14, 7, 22, 30})).logits.value();
  const Tensor b = model->forward(ids({5, 9, 14, 7, 22, 0})).logits.value();
  EXPECT_GT(max_abs_diff(a.slice(1, 1, 5), b.slice(1, 1, 5)), 1e-9);
}

TEST(PldrQuirks, PadKeysAreMasked) {
  const Tensor mask = ops::attention_mask(ids({4, 0, 6}), 3, DType::Float64, 0);
  const std::vector<double> m = mask.to_vector<double>();  // [1,1,3,3]
  EXPECT_EQ(m, (std::vector<double>{0, -1e9, -1e9, 0, -1e9, -1e9, 0, -1e9, 0}));
}

}  // namespace
}  // namespace pldr
