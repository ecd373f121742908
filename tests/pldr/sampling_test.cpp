// Top-k / top-p filtering on fixed logits (docs/pldr-llm.md §8).
#include <gtest/gtest.h>

#include <cmath>

#include "pldr/sampling.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr {
namespace {

// Probabilities 0.5, 0.25, 0.125, 0.125 (logits are their logs).
std::vector<double> logits() { return {std::log(0.5), std::log(0.25), std::log(0.125), std::log(0.125)}; }

std::vector<bool> kept(const std::vector<double>& l) {
  std::vector<bool> k;
  for (double v : l) k.push_back(v > -1e9);
  return k;
}

TEST(Sampling, TopKKeepsTheKLargest) {
  auto l = logits();
  SamplingOptions o;
  o.top_k = 2;
  filter_logits(l, o);
  EXPECT_EQ(kept(l), (std::vector<bool>{true, true, false, false}));
}

TEST(Sampling, ReferenceNucleusExcludesTheCrossingToken) {
  // cumulative 0.5, 0.75, 0.875, 1.0; p = 0.8: tokens with c <= 0.8 are kept (two of them).
  auto l = logits();
  SamplingOptions o;
  o.top_p = 0.8;
  filter_logits(l, o);
  EXPECT_EQ(kept(l), (std::vector<bool>{true, true, false, false}));
  // p below the first token's mass still keeps one token.
  l = logits();
  o.top_p = 0.3;
  filter_logits(l, o);
  EXPECT_EQ(kept(l), (std::vector<bool>{true, false, false, false}));
}

TEST(Sampling, HuggingFaceNucleusKeepsTheCrossingToken) {
  auto l = logits();
  SamplingOptions o;
  o.top_p = 0.8;
  o.nucleus = NucleusRule::HuggingFace;
  filter_logits(l, o);  // mass reaches 0.8 only with the third token (0.875); ties at 0.125 stay
  EXPECT_EQ(kept(l), (std::vector<bool>{true, true, true, true}));
  l = logits();
  o.top_p = 0.6;
  filter_logits(l, o);
  EXPECT_EQ(kept(l), (std::vector<bool>{true, true, false, false}));
}

TEST(Sampling, TemperatureDividesLogits) {
  std::vector<double> l{1.0, 2.0};
  SamplingOptions o;
  o.temperature = 0.5;
  filter_logits(l, o);
  EXPECT_EQ(l, (std::vector<double>{2.0, 4.0}));
}

TEST(Sampling, GreedyPicksTheArgmaxAndDrawsFollowTheDistribution) {
  Generator gen(1);
  SamplingOptions greedy;
  greedy.greedy = true;
  EXPECT_EQ(sample_token(logits(), greedy, gen), 0);
  SamplingOptions o;
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < 8000; ++i) ++counts[sample_token(logits(), o, gen)];
  EXPECT_NEAR(counts[0] / 8000.0, 0.5, 0.03);
  EXPECT_NEAR(counts[1] / 8000.0, 0.25, 0.03);
}

// The device op generate() runs gives the host rule's tokens for the same draws, row by row,
// whatever the rule and the logits' dtype.
TEST(Sampling, SampleRowsGivesTheHostTokensForTheSameDraws) {
  std::vector<SamplingOptions> rules(6);
  rules[0].greedy = true;
  rules[1].temperature = 0.6;
  rules[2].top_k = 4;
  rules[3].top_p = 0.7;
  rules[3].top_k = 9;
  rules[4].top_p = 0.5;
  rules[4].nucleus = NucleusRule::HuggingFace;
  rules[5] = rules[4];
  rules[5].top_k = 3;
  rules[5].temperature = 1.7;
  const int64_t B = 40, V = 30;
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor logits = Generator(3).normal({B, V}, 0, 2, dtype);
    const std::vector<double> values = logits.to_vector<double>();
    for (size_t i = 0; i < rules.size(); ++i) {
      Generator host(100 + i), device(100 + i);
      std::vector<double> uniforms(B);
      for (double& u : uniforms) u = draw_uniform(device);
      const std::vector<int32_t> got =
          ops::sample_rows(logits, from_vector(uniforms, {B}, DType::Float64), rules[i].rule()).to_vector<int32_t>();
      for (int64_t b = 0; b < B; ++b) {
        const std::vector<double> row(values.begin() + b * V, values.begin() + (b + 1) * V);
        EXPECT_EQ(got[b], sample_token(row, rules[i], host)) << "rule " << i << " row " << b;
      }
    }
  }
}

TEST(Sampling, RejectsBadOptionsAndNaN) {
  SamplingOptions o;
  o.temperature = 0;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  o = {};
  o.top_p = 1.5;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  Generator gen(1);
  EXPECT_THROW(sample_token({0.0, NAN}, SamplingOptions{}, gen), std::runtime_error);
}

}  // namespace
}  // namespace pldr
