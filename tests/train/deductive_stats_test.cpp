// Summary statistics of the deductive outputs (train/deductive_stats.h).
#include "train/deductive_stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

TEST(DeductiveStats, SummaryOfKnownValues) {
  const ValueSummary s = summarize(from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2}));
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(1.25));
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  // A large offset does not cancel the spread (two-pass variance).
  const ValueSummary far = summarize(from_vector(std::vector<double>{1e9 + 1, 1e9 + 3}, {2}));
  EXPECT_DOUBLE_EQ(far.std, 1.0);
  EXPECT_THROW(summarize(from_vector(std::vector<double>{}, {0})), std::invalid_argument);
}

TEST(DeductiveStats, PerLayerKeysFromAModel) {
  ag::NoGradGuard no_grad;
  const auto model = testing::tiny_model(5);
  const ForwardResult r = model->forward(from_vector(std::vector<int32_t>{4, 9, 13, 2}, {1, 4}));
  const std::vector<LayerDeductiveStats> stats = deductive_stats(r.layers, true);
  ASSERT_EQ(stats.size(), 2u);
  const ValueSummary g = summarize(r.layers[1].G_LM.value());
  EXPECT_EQ(stats[1].G_LM.mean, g.mean);
  EXPECT_GT(stats[0].A_LM.min, 0.0);  // iSwiGLU + 1e-9 > 0
  nlohmann::json line;
  add_deductive_stats(line, stats);
  EXPECT_EQ(line["G_LM_max_layer1"], g.max);
  EXPECT_TRUE(line.contains("Ap_std_layer0"));
  EXPECT_EQ(line.size(), 2u * 3u * 4u);

  const auto identity = testing::tiny_model(5, GType::Identity);
  const ForwardResult ri = identity->forward(from_vector(std::vector<int32_t>{4, 9}, {1, 2}));
  nlohmann::json predefined;
  add_deductive_stats(predefined, deductive_stats(ri.layers, false));
  EXPECT_FALSE(predefined.contains("A_LM_mean_layer0"));  // no metric learner
  EXPECT_EQ(predefined["G_LM_max_layer0"], 1.0);          // G = I
}

}  // namespace
}  // namespace pldr
