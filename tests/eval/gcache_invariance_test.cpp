// The G-cache invariance experiment (eval/gcache_invariance.h) on a small random model, and the
// LU determinant it reports.
#include "eval/gcache_invariance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/pldr/tiny_model.h"

namespace pldr::eval {
namespace {

TEST(Determinant, KnownMatrices) {
  const Determinant diag = determinant_lu({2, 0, 0, 0, 3, 0, 0, 0, 4}, 3);
  EXPECT_NEAR(diag.value, 24.0, 1e-12);
  EXPECT_EQ(diag.text(), "24");
  EXPECT_EQ(diag.sign, 1);
  const Determinant swap = determinant_lu({0, 1, 1, 0}, 2);
  EXPECT_EQ(swap.sign, -1);
  EXPECT_NEAR(swap.value, -1.0, 1e-15);
  const Determinant general = determinant_lu({4, 3, 6, 3}, 2);  // 12 - 18
  EXPECT_NEAR(general.value, -6.0, 1e-13);
  EXPECT_EQ(general.text(), "-6");  // 15 significant digits of -6.000000000000000x
  const Determinant singular = determinant_lu({1, 2, 2, 4}, 2);
  EXPECT_EQ(singular.sign, 0);
  EXPECT_EQ(singular.value, 0.0);
  // 1e10·I of size 64: det 10^640 is beyond double, log10 |det| is kept.
  std::vector<double> big(64 * 64, 0.0);
  for (int i = 0; i < 64; ++i) big[i * 64 + i] = 1e10;
  const Determinant huge = determinant_lu(big, 64);
  EXPECT_NEAR(huge.log10_abs, 640.0, 1e-9);
  EXPECT_TRUE(std::isinf(huge.value));
  EXPECT_THROW(determinant_lu({1, 2, 3}, 2), std::invalid_argument);
}

TEST(GCacheInvariance, StepZeroMatchesTheCacheAndLaterStepsAreMeasured) {
  const auto model = testing::tiny_model(7);
  InvarianceOptions o;
  o.max_new_tokens = 4;
  const InvarianceReport r = gcache_invariance(*model, {{5, 9, 12}, {7, 3, 22, 30, 11}}, o);
  ASSERT_EQ(r.prompts.size(), 2u);
  for (const PromptInvariance& p : r.prompts) {
    EXPECT_EQ(p.tokens_cached.size(), 4u);
    EXPECT_EQ(p.tokens_uncached.size(), 4u);
    ASSERT_EQ(p.steps.size(), 4u);
    ASSERT_EQ(p.steps[0].size(), 2u);     // layers
    ASSERT_EQ(p.steps[0][0].size(), 2u);  // heads
    // Step 0 recomputes exactly what the cache froze: the prompt.
    for (const auto& layer : p.steps[0])
      for (const HeadStep& h : layer) {
        EXPECT_EQ(h.A.max_abs, 0.0);
        EXPECT_EQ(h.A_LM.max_abs, 0.0);
        EXPECT_EQ(h.G_LM.max_abs, 0.0);
      }
    // Later steps see more tokens: G over the longer sequence is not the frozen one.
    double later = 0;
    for (const HeadStep& h : p.steps[3][0]) later = std::max(later, h.G_LM.rmse);
    EXPECT_GT(later, 0.0);
    EXPECT_EQ(p.det_G_LM_cached.size(), 2u);
    EXPECT_EQ(p.steps[0][1][1].det_G_LM.text(), p.det_G_LM_cached[1][1].text());
    EXPECT_NE(p.det_G_LM_cached[0][0].sign, 0);
  }
  // The first generated token comes from the same prompt pass in both modes.
  EXPECT_EQ(r.prompts[0].tokens_cached[0], r.prompts[0].tokens_uncached[0]);

  const std::vector<std::vector<double>> mean = r.mean_rmse("G_LM");
  ASSERT_EQ(mean.size(), 2u);
  ASSERT_EQ(mean[0].size(), 4u);
  EXPECT_EQ(mean[0][0], 0.0);
  EXPECT_GT(mean[0][3], 0.0);
  EXPECT_THROW(r.mean_rmse("E"), std::invalid_argument);

  const nlohmann::json j = r.to_json();
  EXPECT_EQ(j["prompts"][1]["steps"][2]["tokens_seen"], 7);
  EXPECT_TRUE(j["prompts"][0]["steps"][0]["layers"][1]["heads"][0]["det_G_LM"]["det"].is_string());
  EXPECT_TRUE(j["summary"]["worst"]["G_LM"]["rmse"].get<double>() > 0);
  EXPECT_FALSE(j.contains("eval"));
}

TEST(GCacheInvariance, EvalHookRunsInBothModesAndBadInputIsRejected) {
  const auto model = testing::tiny_model(3);
  InvarianceOptions o;
  o.max_new_tokens = 1;
  o.eval_scores = [](const PldrModel&, CacheMode mode) { return nlohmann::json{{"cached", mode == CacheMode::KVG}}; };
  const InvarianceReport r = gcache_invariance(*model, {{4, 5}}, o);
  EXPECT_EQ(r.to_json()["eval"]["kvg_cache"]["cached"], true);
  EXPECT_EQ(r.to_json()["eval"]["no_cache"]["cached"], false);
  EXPECT_THROW(gcache_invariance(*model, {}, o), std::invalid_argument);
  EXPECT_THROW(gcache_invariance(*model, {{}}, o), std::invalid_argument);
  o.max_new_tokens = 0;
  EXPECT_THROW(gcache_invariance(*model, {{4}}, o), std::invalid_argument);
}

}  // namespace
}  // namespace pldr::eval
