// KV-cache and G-cache rules (docs/pldr-llm.md §4).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "pldr/generate.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

using testing::ids;
using testing::max_abs_diff;

TEST(Cache, PromptPassEqualsUncachedPassAndFillsEveryLayer) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  InferenceCache cache(2);
  const Tensor cached = model->forward(ids({3, 8, 12, 5}), &cache).logits.value();
  const Tensor plain = model->forward(ids({3, 8, 12, 5})).logits.value();
  EXPECT_EQ(max_abs_diff(cached, plain), 0.0);
  EXPECT_EQ(cache.length(), 4);
  for (const LayerCache& l : cache.layers) {
    EXPECT_TRUE(l.g_frozen);
    EXPECT_EQ(l.keys.shape(), (Shape{1, 2, 4, 8}));
    EXPECT_EQ(l.G_LM.shape(), (Shape{1, 2, 8, 8}));
  }
}

TEST(Cache, GStaysFrozenAtThePromptWhileKeysGrow) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  InferenceCache cache(2);
  model->forward(ids({3, 8, 12, 5}), &cache);
  const Tensor G0 = cache.layers[1].G_LM.clone();
  const ForwardResult step = model->forward(ids({17}), &cache);
  EXPECT_EQ(max_abs_diff(cache.layers[1].G_LM, G0), 0.0);
  EXPECT_EQ(max_abs_diff(step.layers[1].G_LM.value(), G0), 0.0);  // the returned G is the cached one
  EXPECT_EQ(cache.layers[1].keys.shape()[2], 5);
  EXPECT_EQ(step.layers[0].E.shape(), (Shape{1, 2, 1, 5}));  // one query over P+S keys
}

// With G frozen, a cached step equals an uncached pass whose G is forced to the prompt's G;
// and it differs from full recomputation (docs/pldr-llm.md §10.2: by design).
TEST(Cache, CachedStepMatchesFrozenGRecomputationNotFullRecomputation) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  InferenceCache cache(2);
  model->forward(ids({3, 8, 12, 5}), &cache);
  std::vector<Tensor> prompt_G;
  for (const LayerCache& l : cache.layers) prompt_G.push_back(l.G_LM);
  const Tensor step = model->forward(ids({17}), &cache).logits.value().select(1, 0);

  InferenceCache frozen = InferenceCache::with_fixed_G(prompt_G);
  const Tensor replay = model->forward(ids({3, 8, 12, 5, 17}), &frozen).logits.value().select(1, 4);
  EXPECT_LT(max_abs_diff(step, replay), 1e-12);

  const Tensor recomputed = model->forward(ids({3, 8, 12, 5, 17})).logits.value().select(1, 4);
  EXPECT_GT(max_abs_diff(step, recomputed), 1e-6);
}

// A learned model run with G fixed to the identity equals the identity-G model with the same
// remaining weights: plain scaled dot-product attention.
TEST(Cache, FixedIdentityGEqualsTheIdentityModel) {
  auto learned = testing::tiny_model(11);
  PldrModel identity(testing::tiny_config(GType::Identity), DType::Float64);
  auto learned_params = learned->named_parameters();
  for (auto& [name, p] : identity.named_parameters())
    for (auto& [n2, q] : learned_params)
      if (n2 == name) p.mutable_value() = q.value();
  ag::NoGradGuard no_grad;
  const Tensor I = ops::eye(8, DType::Float64).expand({1, 2, 8, 8}).contiguous();
  InferenceCache fixed = InferenceCache::with_fixed_G({I, I});
  const Tensor a = learned->forward(ids({3, 8, 12, 5}), &fixed).logits.value();
  const Tensor b = identity.forward(ids({3, 8, 12, 5})).logits.value();
  EXPECT_LT(max_abs_diff(a, b), 1e-12);
}

TEST(Generate, GreedyCachedAndUncachedAgreeOnTheFirstToken) {
  auto model = testing::tiny_model();
  GenerationOptions o;
  o.max_new_tokens = 5;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  o.keep_step_logits = true;
  const GenerationResult kvg = generate(*model, {3, 8, 12}, o);
  o.cache = CacheMode::None;
  const GenerationResult none = generate(*model, {3, 8, 12}, o);
  ASSERT_EQ(kvg.tokens.size(), 5u);
  EXPECT_EQ(kvg.tokens[0], none.tokens[0]);
  EXPECT_EQ(kvg.step_logits[0], none.step_logits[0]);
}

TEST(Generate, StopsAtEndToken) {
  auto model = testing::tiny_model();
  // Make [END] (id 3) the argmax everywhere through the head's bias.
  Tensor bias = model->final_layer.bias.value();
  bias.select(0, 3).fill(1e6);
  GenerationOptions o;
  o.max_new_tokens = 10;
  o.sampling.greedy = true;
  EXPECT_EQ(generate(*model, {5, 6}, o).tokens, (std::vector<int32_t>{3}));
}

TEST(Generate, OnTokenReturningFalseStopsAfterThatToken) {
  auto model = testing::tiny_model();
  GenerationOptions o;
  o.max_new_tokens = 10;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  const std::vector<int32_t> all = generate(*model, {5, 6}, o).tokens;
  std::vector<int32_t> streamed;
  o.on_token = [&](size_t prompt, int32_t token) {
    EXPECT_EQ(prompt, 0u);
    streamed.push_back(token);
    return streamed.size() < 3;
  };
  const std::vector<int32_t> stopped = generate(*model, {5, 6}, o).tokens;
  EXPECT_EQ(stopped, std::vector<int32_t>(all.begin(), all.begin() + 3));
  EXPECT_EQ(streamed, stopped);
}

TEST(Generate, OnForwardSeesEveryPassWithItsDeductiveOutputs) {
  auto model = testing::tiny_model();
  GenerationOptions o;
  o.max_new_tokens = 4;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  std::vector<int64_t> new_positions;
  Tensor last_G;
  o.on_forward = [&](const ForwardResult& r) {
    new_positions.push_back(r.logits.value().shape()[1]);
    ASSERT_EQ(r.layers.size(), 2u);
    last_G = r.layers[1].G_LM.value();
  };
  generate(*model, {5, 6, 7}, o);
  EXPECT_EQ(new_positions, (std::vector<int64_t>{3, 1, 1, 1}));  // the prompt, then one token a step
  // With the G-cache, the last decode step's G_LM is the prompt's, frozen.
  ag::NoGradGuard no_grad;
  const Tensor prompt_G = model->forward(ids({5, 6, 7})).layers[1].G_LM.value();
  EXPECT_EQ(max_abs_diff(last_G, prompt_G), 0.0);
}

TEST(Generate, SampledGenerationIsReproducibleBySeed) {
  auto model = testing::tiny_model();
  GenerationOptions o;
  o.max_new_tokens = 12;
  o.stop_at_eos = false;
  o.sampling.temperature = 1.0;
  o.sampling.seed = 42;
  const auto a = generate(*model, {5, 6}, o).tokens;
  const auto b = generate(*model, {5, 6}, o).tokens;
  o.sampling.seed = 43;
  const auto c = generate(*model, {5, 6}, o).tokens;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace pldr

namespace pldr {
namespace {

// cache_first_G: the prompt pass uses each item's own G; later steps use item 0's for all.
TEST(Cache, CacheFirstGKeepsItemZerosG) {
  PldrConfig c = testing::tiny_config();
  c.cache_first_G = true;
  PldrModel model(c, DType::Float64);
  model.initialize(7);
  ag::NoGradGuard no_grad;
  const Tensor prompts = from_vector(std::vector<int32_t>{3, 8, 12, 5, 9, 14, 7, 6}, {2, 4});
  InferenceCache cache(2);
  const Tensor first = model.forward(prompts, &cache).logits.value();
  EXPECT_EQ(testing::max_abs_diff(first, model.forward(prompts).logits.value()), 0.0);
  EXPECT_EQ(cache.layers[0].G_LM.shape(), (Shape{1, 2, 8, 8}));
  // Item 1's next step equals item 1 alone: its own prompt pass, then the step with G swapped for item 0's.
  const Tensor step = model.forward(from_vector(std::vector<int32_t>{17, 17}, {2, 1}), &cache).logits.value();
  InferenceCache alone(2);
  model.forward(testing::ids({9, 14, 7, 6}), &alone);
  for (size_t l = 0; l < alone.layers.size(); ++l) alone.layers[l].G_LM = cache.layers[l].G_LM;
  const Tensor replay = model.forward(testing::ids({17}), &alone).logits.value();
  EXPECT_LT(testing::max_abs_diff(step.select(0, 1), replay.select(0, 0)), 1e-12);
  // ... and differs from item 1 keeping its own G.
  InferenceCache own(2);
  model.forward(testing::ids({9, 14, 7, 6}), &own);
  EXPECT_GT(
      testing::max_abs_diff(step.select(0, 1), model.forward(testing::ids({17}), &own).logits.value().select(0, 0)),
      1e-6);
}

}  // namespace
}  // namespace pldr
