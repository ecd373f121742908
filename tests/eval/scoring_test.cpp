// The scoring core: a request's log-likelihood against a direct forward pass, padded batches
// against each request alone (float64), truncation to max_length, and the rolling windows.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "eval/loglikelihood.h"
#include "eval/rolling.h"
#include "pldr/generate.h"
#include "tensor/backend.h"
#include "tensor/ops.h"
#include "tests/pldr/tiny_model.h"

namespace pldr::eval {
namespace {

// Requests of mixed lengths over a vocabulary of 40 (ids 4.. to avoid the special ones).
std::vector<Request> mixed_requests() {
  std::vector<Request> rs;
  for (int i = 0; i < 11; ++i) {
    Request r;
    for (int t = 0; t < 2 + (i * 7) % 13; ++t) r.context.push_back(4 + (i * 5 + t * 3) % 36);
    for (int t = 0; t < 1 + (i * 3) % 5; ++t) r.continuation.push_back(4 + (i * 11 + t * 7) % 36);
    rs.push_back(r);
  }
  return rs;
}

// Σ log_softmax(logits[i-1])[token_i] over the continuation, from one forward pass on
// context + continuation[:-1], computed here without the scorer.
double direct_loglikelihood(const PldrModel& model, const Request& r) {
  ag::NoGradGuard no_grad;
  std::vector<int32_t> all = r.context;
  all.insert(all.end(), r.continuation.begin(), r.continuation.end());
  const std::vector<int32_t> input(all.begin(), all.end() - 1);
  const Tensor lp = ops::log_softmax(model.forward(testing::ids(input)).logits.value().select(0, 0).contiguous());
  double sum = 0;
  for (size_t i = r.context.size(); i < all.size(); ++i) sum += lp.select(0, i - 1).select(0, all[i]).item();
  return sum;
}

TEST(Scoring, OneRequestIsTheSumOfItsTokensLogProbabilities) {
  auto model = testing::tiny_model();
  const std::vector<Request> rs = mixed_requests();
  const std::vector<Score> s = score(*model, rs, {});
  for (size_t i = 0; i < rs.size(); ++i)
    EXPECT_NEAR(s[i].loglikelihood, direct_loglikelihood(*model, rs[i]), 1e-12) << i;
}

// The host reads each scored token's log-probability and argmax id, never whole rows of the
// vocabulary: two reads per request, of the model's dtype and int32, with and without the cache.
TEST(Scoring, ReadsOnlyTheScoredTokensBackToTheHost) {
  auto model = testing::tiny_model();
  const Request r{{5, 6, 7}, {8, 9, 10, 11}};
  const uint64_t per_token = dtype_size(model->dtype()) + sizeof(int32_t);
  for (const CacheMode cache : {CacheMode::None, CacheMode::KVG}) {
    ScoringOptions o;
    o.cache = cache;
    reset_runtime_counts();
    score(*model, {r}, o);
    const RuntimeCounts c = runtime_counts();
    const uint64_t reads = cache == CacheMode::None ? 2 : 2 * r.continuation.size();
    EXPECT_EQ(c.host_reads, reads);
    EXPECT_EQ(c.host_read_bytes, per_token * r.continuation.size());
  }
}

// A depends on every position (docs/pldr-llm.md §10.1): a continuation scored in one pass is not the sum of
// its tokens scored one at a time, as it would be for a causal model.
TEST(Scoring, AContinuationIsScoredInOnePassNotTokenByToken) {
  auto model = testing::tiny_model();
  const std::vector<Score> s =
      score(*model, {{{5, 6, 7}, {8, 9, 10}}, {{5, 6, 7}, {8}}, {{5, 6, 7, 8}, {9}}, {{5, 6, 7, 8, 9}, {10}}}, {});
  EXPECT_GT(std::abs(s[0].loglikelihood - (s[1].loglikelihood + s[2].loglikelihood + s[3].loglikelihood)), 1e-6);
}

TEST(Scoring, PaddedBatchesScoreExactlyLikeEachRequestAlone) {
  auto model = testing::tiny_model();
  const std::vector<Request> rs = mixed_requests();
  const std::vector<Score> alone = score(*model, rs, {});
  for (int64_t batch : {2, 3, 8, 16}) {
    ScoringOptions o;
    o.batch_size = batch;
    int64_t calls = 0;
    o.progress = [&](int64_t done, int64_t total) {
      ++calls;
      EXPECT_EQ(total, static_cast<int64_t>(rs.size()));
      EXPECT_LE(done, total);
    };
    const std::vector<Score> batched = score(*model, rs, o);
    EXPECT_EQ(calls, (static_cast<int64_t>(rs.size()) + batch - 1) / batch);
    for (size_t i = 0; i < rs.size(); ++i) {
      EXPECT_NEAR(batched[i].loglikelihood, alone[i].loglikelihood, 1e-12) << "batch " << batch << " request " << i;
      EXPECT_EQ(batched[i].is_greedy, alone[i].is_greedy);
    }
  }
}

TEST(Scoring, LongInputsLoseContextFromTheLeft) {
  auto model = testing::tiny_model();  // 64 positions
  Request r;
  for (int t = 0; t < 90; ++t) r.context.push_back(4 + (t * 7) % 36);
  r.continuation = {9, 12, 30};
  ScoringOptions o;
  o.max_length = 40;
  const Request cut{std::vector<int32_t>(r.context.end() - 37, r.context.end()), r.continuation};
  EXPECT_NEAR(score(*model, {r}, o)[0].loglikelihood, direct_loglikelihood(*model, cut), 1e-12);
  // The default keeps the model's 64 positions plus the token never fed in.
  EXPECT_EQ(default_max_length(model->config()), 65);
}

TEST(Scoring, GreedyFlagFollowsTheArgmax) {
  auto model = testing::tiny_model();
  ag::NoGradGuard no_grad;
  const std::vector<int32_t> context{5, 9, 14};
  const Tensor logits = model->forward(testing::ids(context)).logits.value();
  const int32_t best = static_cast<int32_t>(ops::argmax_last(logits.select(0, 0).select(0, 2)).item());
  EXPECT_TRUE(score(*model, {{context, {best}}}, {})[0].is_greedy);
  EXPECT_FALSE(score(*model, {{context, {best == 4 ? 5 : 4}}}, {})[0].is_greedy);
}

ScoringOptions with_cache() {
  ScoringOptions o;
  o.cache = CacheMode::KVG;
  return o;
}

// A predefined G does not depend on the input, so the KV+G cache changes nothing (docs/pldr-llm.md §4.2).
TEST(CachedScoring, APredefinedGScoresTheSameWithAndWithoutTheCache) {
  auto model = testing::tiny_model(7, GType::Identity);
  const std::vector<Request> rs = mixed_requests();
  const std::vector<Score> uncached = score(*model, rs, {}), cached = score(*model, rs, with_cache());
  for (size_t i = 0; i < rs.size(); ++i) {
    EXPECT_NEAR(cached[i].loglikelihood, uncached[i].loglikelihood, 1e-10) << i;
    EXPECT_EQ(cached[i].is_greedy, uncached[i].is_greedy) << i;
  }
}

// A learned G comes from the context alone with the cache, from the whole input without it.
TEST(CachedScoring, ALearnedGScoresDifferentlyWithTheCache) {
  auto model = testing::tiny_model();
  const std::vector<Request> rs = mixed_requests();
  const std::vector<Score> uncached = score(*model, rs, {}), cached = score(*model, rs, with_cache());
  double largest = 0;
  for (size_t i = 0; i < rs.size(); ++i)
    largest = std::max(largest, std::abs(cached[i].loglikelihood - uncached[i].loglikelihood));
  EXPECT_GT(largest, 1e-6);
}

// The cached score of a greedy continuation is the sum of generate's step log-probabilities.
TEST(CachedScoring, EqualsGenerationStepByStep) {
  auto model = testing::tiny_model();
  const std::vector<int32_t> context{5, 9, 14, 22, 7};
  GenerationOptions g;
  g.max_new_tokens = 4;
  g.sampling.greedy = true;
  g.stop_at_eos = false;
  g.keep_step_logits = true;
  const GenerationResult r = generate(*model, context, g);
  ASSERT_EQ(r.tokens.size(), 4u);
  double expected = 0;
  for (size_t i = 0; i < r.tokens.size(); ++i) {
    const std::vector<double>& logits = r.step_logits[i];
    double z = 0;
    for (double v : logits) z += std::exp(v);
    expected += logits[r.tokens[i]] - std::log(z);
  }
  int64_t calls = 0;
  ScoringOptions o = with_cache();
  o.progress = [&](int64_t, int64_t) { ++calls; };
  const Score s = score(*model, {{context, r.tokens}}, o)[0];
  EXPECT_NEAR(s.loglikelihood, expected, 1e-10);
  EXPECT_TRUE(s.is_greedy);
  EXPECT_EQ(calls, 1);
}

TEST(Scoring, BadRequestsAndOptionsAreErrors) {
  auto model = testing::tiny_model();
  EXPECT_THROW(score(*model, {{{}, {5}}}, {}), std::invalid_argument);
  EXPECT_THROW(score(*model, {{{5}, {}}}, {}), std::invalid_argument);
  ScoringOptions o;
  o.max_length = 4;
  EXPECT_THROW(score(*model, {{{5}, {6, 7, 8, 9}}}, o), std::invalid_argument);  // the continuation alone does not fit
  o.max_length = 66;
  EXPECT_THROW(score(*model, {{{5}, {6}}}, o), std::invalid_argument);  // beyond the model's positions
  o = {};
  o.batch_size = 0;
  EXPECT_THROW(score(*model, {{{5}, {6}}}, o), std::invalid_argument);
}

// lm-eval's get_rolling_token_windows with context_len 1, made disjoint: every token is
// predicted once, each window's context is the token before it ([END] for the first).
TEST(RollingWindows, SplitTheTokensIntoDisjointWindows) {
  const std::vector<int32_t> tokens{10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  const std::vector<Request> w = rolling_windows(tokens, 3, 4);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].context, std::vector<int32_t>{3});
  EXPECT_EQ(w[0].continuation, (std::vector<int32_t>{10, 11, 12, 13}));
  EXPECT_EQ(w[1].context, std::vector<int32_t>{13});
  EXPECT_EQ(w[1].continuation, (std::vector<int32_t>{14, 15, 16, 17}));
  EXPECT_EQ(w[2].context, std::vector<int32_t>{17});
  EXPECT_EQ(w[2].continuation, (std::vector<int32_t>{18, 19}));
  EXPECT_EQ(rolling_windows(tokens, 3, 10).size(), 1u);
  EXPECT_THROW(rolling_windows(tokens, 3, 0), std::invalid_argument);
}

TEST(TextScore, PerplexityAndBitsPerByteFollowFromTheLogLikelihood) {
  TextScore s{-100.0, 50, 200, 2};
  EXPECT_NEAR(s.token_perplexity(), std::exp(2.0), 1e-12);
  EXPECT_NEAR(s.byte_perplexity(), std::exp(0.5), 1e-12);
  EXPECT_NEAR(s.bits_per_byte(), 0.5 / std::log(2.0), 1e-12);
}

}  // namespace
}  // namespace pldr::eval
