// Padded batches (docs/pldr-llm.md §10.3): with the pads left out of A and hidden as keys, every row of a
// batch computes what it computes alone; with pads entering A (Hugging Face's behaviour) the
// padded rows change. Then batched generation with left padding against each prompt alone.
#include <gtest/gtest.h>

#include "autograd/grad_mode.h"
#include "pldr/generate.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

using testing::ids;
using testing::max_abs_diff;

const std::vector<std::vector<int32_t>> kRows{{5, 9, 14, 7, 6, 11}, {8, 12}, {17, 4, 21, 30}};

// The rows padded to one length, pads on the left or the right, and their mask.
std::pair<Tensor, Padding> padded(const std::vector<std::vector<int32_t>>& rows, bool left, int32_t pad_id) {
  size_t S = 0;
  for (const auto& r : rows) S = std::max(S, r.size());
  std::vector<int32_t> flat(rows.size() * S, pad_id);
  Padding p;
  p.is_token.assign(rows.size() * S, 0);
  for (size_t b = 0; b < rows.size(); ++b) {
    const size_t first = left ? S - rows[b].size() : 0;
    for (size_t t = 0; t < rows[b].size(); ++t) {
      flat[b * S + first + t] = rows[b][t];
      p.is_token[b * S + first + t] = 1;
    }
  }
  return {from_vector(flat, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(S)}), p};
}

// Row b's token positions of a batched result, [n, ...].
Tensor row_tokens(const Tensor& batched, size_t b, size_t n, bool left) {
  const int64_t S = batched.shape()[1];
  const int64_t first = left ? S - static_cast<int64_t>(n) : 0;
  return batched.select(0, static_cast<int64_t>(b)).slice(0, first, first + static_cast<int64_t>(n)).contiguous();
}

class PaddedBatch : public ::testing::TestWithParam<bool> {};  // pads on the left?

TEST_P(PaddedBatch, EachRowComputesWhatItComputesAlone) {
  const bool left = GetParam();
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  // Pads with a real token id (not 0), so only the padding mask can hide them.
  auto [batch, padding] = padded(kRows, left, 13);
  const ForwardResult r = model->forward(batch, nullptr, &padding);
  for (size_t b = 0; b < kRows.size(); ++b) {
    const ForwardResult alone = model->forward(ids(kRows[b]));
    EXPECT_LT(max_abs_diff(row_tokens(r.logits.value(), b, kRows[b].size(), left), alone.logits.value().select(0, 0)),
              1e-12)
        << b;
    for (size_t l = 0; l < r.layers.size(); ++l)
      EXPECT_LT(max_abs_diff(r.layers[l].G_LM.value().select(0, b), alone.layers[l].G_LM.value().select(0, 0)), 1e-12)
          << b << " " << l;
  }
}

TEST_P(PaddedBatch, PadsEnteringAChangeThePaddedRowsOnly) {
  const bool left = GetParam();
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  auto [batch, padding] = padded(kRows, left, 0);
  padding.pads_enter_A = true;
  const ForwardResult r = model->forward(batch, nullptr, &padding);
  // Row 0 is the longest, without pads: unchanged. The others see their pads through A.
  EXPECT_LT(max_abs_diff(row_tokens(r.logits.value(), 0, kRows[0].size(), left),
                         model->forward(ids(kRows[0])).logits.value().select(0, 0)),
            1e-12);
  for (size_t b = 1; b < kRows.size(); ++b)
    EXPECT_GT(max_abs_diff(row_tokens(r.logits.value(), b, kRows[b].size(), left),
                           model->forward(ids(kRows[b])).logits.value().select(0, 0)),
              1e-6)
        << b;
}

INSTANTIATE_TEST_SUITE_P(LeftAndRight, PaddedBatch, ::testing::Values(true, false));

TEST(PaddedBatch, MaskSizeMustMatchTheIds) {
  auto model = testing::tiny_model();
  Padding p{{1, 1, 0}, false};
  EXPECT_THROW(model->forward(ids({4, 5}), nullptr, &p), std::invalid_argument);
}

double max_step_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t v = 0; v < a.size(); ++v) m = std::max(m, std::abs(a[v] - b[v]));
  return m;
}

// Greedy decoding of `steps` tokens that records each step's logits.
GenerationOptions greedy(int64_t steps) {
  GenerationOptions o;
  o.max_new_tokens = steps;
  o.sampling.greedy = true;
  o.keep_step_logits = true;
  o.stop_at_eos = false;
  return o;
}

// Batched generation: greedy, in both cache modes, the batch gives each prompt's tokens alone.
class BatchedGeneration : public ::testing::TestWithParam<CacheMode> {};

TEST_P(BatchedGeneration, GreedyBatchEqualsEachPromptAlone) {
  auto model = testing::tiny_model();
  GenerationOptions o = greedy(6);
  o.cache = GetParam();
  const std::vector<GenerationResult> batch = generate_batch(*model, kRows, o);
  ASSERT_EQ(batch.size(), kRows.size());
  for (size_t b = 0; b < kRows.size(); ++b) {
    const GenerationResult alone = generate(*model, kRows[b], o);
    EXPECT_EQ(batch[b].tokens, alone.tokens) << b;
    ASSERT_EQ(batch[b].step_logits.size(), alone.step_logits.size());
    for (size_t s = 0; s < alone.step_logits.size(); ++s)
      EXPECT_LT(max_step_diff(batch[b].step_logits[s], alone.step_logits[s]), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(CacheModes, BatchedGeneration, ::testing::Values(CacheMode::KVG, CacheMode::None));

TEST(BatchedGeneration, SampledBatchDrawsAsEachPromptAlone) {
  auto model = testing::tiny_model();
  GenerationOptions o;
  o.max_new_tokens = 8;
  o.sampling.seed = 5;
  o.sampling.top_k = 10;
  o.stop_at_eos = false;
  const std::vector<GenerationResult> batch = generate_batch(*model, kRows, o);
  for (size_t b = 0; b < kRows.size(); ++b) EXPECT_EQ(batch[b].tokens, generate(*model, kRows[b], o).tokens) << b;
}

TEST(BatchedGeneration, HuggingFacePadsChangeThePaddedPromptsLogits) {
  auto model = testing::tiny_model();
  GenerationOptions o = greedy(3);
  o.pads_enter_A = true;
  const std::vector<GenerationResult> batch = generate_batch(*model, kRows, o);
  EXPECT_LT(max_step_diff(batch[0].step_logits[0], generate(*model, kRows[0], o).step_logits[0]),
            1e-12);  // no pads in the longest
  EXPECT_GT(max_step_diff(batch[1].step_logits[0], generate(*model, kRows[1], o).step_logits[0]), 1e-6);
}

// cache_first_G from the options: later steps of every prompt use prompt 0's G.
TEST(BatchedGeneration, CacheFirstGIsReachableFromTheOptions) {
  auto model = testing::tiny_model();
  GenerationOptions o = greedy(4);
  const std::vector<GenerationResult> own = generate_batch(*model, kRows, o);
  o.cache_first_G = true;
  const std::vector<GenerationResult> first = generate_batch(*model, kRows, o);
  EXPECT_LT(max_step_diff(first[0].step_logits[3], own[0].step_logits[3]), 1e-12);  // prompt 0 keeps its own G
  EXPECT_LT(max_step_diff(first[1].step_logits[0], own[1].step_logits[0]),
            1e-12);                                                                // the prompt pass uses each item's G
  EXPECT_GT(max_step_diff(first[1].step_logits[1], own[1].step_logits[1]), 1e-6);  // later steps use prompt 0's
}

}  // namespace
}  // namespace pldr
