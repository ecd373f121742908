// Top-k / top-p filtering on fixed logits (spec §8).
#include <gtest/gtest.h>

#include <cmath>

#include "pldr/sampling.h"

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
