// The decode step: generation's tokens pinned to what the host-side sampler and the concatenating
// KV cache gave, recorded with main at b616c55 (before the cache was preallocated and sampling moved
// into a kernel): regenerate by printing generate()'s tokens for these settings at that commit.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "pldr/generate.h"
#include "tensor/backend.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

struct Pinned {
  const char* name;
  DType dtype;
  SamplingOptions sampling;
  std::vector<std::vector<int32_t>> tokens;  // per prompt
};

SamplingOptions sampled(uint64_t seed, double temperature, int64_t top_k, double top_p, NucleusRule rule) {
  SamplingOptions s;
  s.seed = seed;
  s.temperature = temperature;
  s.top_k = top_k;
  s.top_p = top_p;
  s.nucleus = rule;
  return s;
}

SamplingOptions greedy() {
  SamplingOptions s;
  s.greedy = true;
  return s;
}

// Prompts of three lengths: the batch is left-padded.
const std::vector<std::vector<int32_t>> kPrompts = {{3, 8, 12, 5, 9}, {14, 7}, {21, 6, 30}};
constexpr int64_t kSteps = 40;  // with the longest prompt, 45 of the tiny model's 64 positions

std::vector<std::vector<int32_t>> run(const Pinned& p) {
  auto model = testing::tiny_model();
  model->to(p.dtype);
  GenerationOptions o;
  o.max_new_tokens = kSteps;
  o.stop_at_eos = false;
  o.sampling = p.sampling;
  std::vector<std::vector<int32_t>> tokens;
  for (const GenerationResult& r : generate_batch(*model, kPrompts, o)) tokens.push_back(r.tokens);
  return tokens;
}

void PrintTo(const Pinned& p, std::ostream* os) { *os << p.name; }

class PinnedTokens : public ::testing::TestWithParam<Pinned> {};

TEST_P(PinnedTokens, GenerationGivesTheRecordedTokens) {
  const std::vector<std::vector<int32_t>> got = run(GetParam());
  ASSERT_EQ(got.size(), GetParam().tokens.size());
  for (size_t b = 0; b < got.size(); ++b) {
    std::string printed;
    for (int32_t t : got[b]) printed += std::to_string(t) + ", ";
    EXPECT_EQ(got[b], GetParam().tokens[b]) << "prompt " << b << ": " << printed;
  }
}

const Pinned kPinned[] = {
    {"greedy_f64",
     DType::Float64,
     greedy(),
     {{33, 6,  8,  30, 15, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 37, 38, 10, 12, 33,
       12, 15, 17, 24, 1,  0,  12, 33, 12, 33, 12, 33, 12, 33, 12, 33, 12, 33, 6,  7},
      {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
       7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7},
      {15, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36,
       22, 36, 22, 37, 21, 37, 3,  21, 23, 20, 24, 1,  0,  12, 24, 30, 15, 37, 17, 28}}},
    {"greedy_f32",
     DType::Float32,
     greedy(),
     {{33, 6,  8,  30, 15, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 37, 38, 10, 12, 33,
       12, 15, 17, 24, 1,  0,  12, 33, 12, 33, 12, 33, 12, 33, 12, 33, 12, 33, 6,  7},
      {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
       7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7},
      {15, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36, 22, 36,
       22, 36, 22, 37, 21, 37, 3,  21, 23, 20, 24, 1,  0,  12, 24, 30, 15, 37, 17, 28}}},
    {"plain_seed1",
     DType::Float64,
     sampled(1, 1.0, 0, 1.0, NucleusRule::Reference),
     {{34, 31, 10, 36, 9, 8, 24, 22, 36, 8,  12, 27, 15, 18, 32, 14, 24, 10, 31, 7,
       29, 15, 9,  15, 3, 8, 12, 5,  4,  26, 1,  28, 30, 11, 22, 9,  16, 33, 16, 15},
      {37, 25, 11, 31, 10, 6, 18, 18, 33, 7,  7, 23, 15, 16, 32, 16, 25, 15, 28, 5,
       30, 15, 7,  13, 1,  5, 12, 6,  1,  26, 2, 27, 32, 5,  23, 8,  21, 36, 16, 17},
      {34, 31, 9, 32, 7, 7, 15, 25, 36, 8,  11, 24, 19, 14, 30, 15, 31, 13, 26, 3,
       27, 12, 6, 8,  1, 7, 7,  7,  3,  31, 3,  28, 28, 6,  20, 7,  15, 36, 18, 17}}},
    {"temperature_seed2_f32",
     DType::Float32,
     sampled(2, 0.7, 0, 1.0, NucleusRule::Reference),
     {{16, 3,  21, 10, 6, 36, 0, 12, 28, 24, 30, 15, 16, 20, 7,  11, 19, 3,  18, 17,
       24, 30, 17, 38, 8, 4,  7, 17, 9,  7,  25, 36, 37, 27, 35, 22, 15, 12, 32, 9},
      {7,  3,  20, 6,  1, 35, 1,  8,  25, 36, 22, 24, 10, 31, 6,  15, 26, 2, 20, 24,
       16, 32, 15, 36, 6, 2,  20, 25, 15, 7,  25, 36, 37, 34, 37, 21, 18, 7, 25, 17},
      {15, 6,  18, 4,  3,  38, 0,  12, 26, 22, 36, 14, 11, 21, 9,  16, 25, 6, 7,  11,
       15, 34, 25, 37, 10, 3,  13, 30, 11, 5,  33, 23, 38, 28, 38, 24, 10, 7, 23, 18}}},
    {"top_k_seed3",
     DType::Float64,
     sampled(3, 1.0, 5, 1.0, NucleusRule::Reference),
     {{34, 9, 33, 6,  32, 7,  39, 38, 8,  30, 15, 23, 8,  38, 8, 30, 34, 39, 0,  12,
       32, 0, 18, 15, 37, 27, 0,  37, 21, 10, 3,  26, 18, 18, 3, 18, 25, 37, 21, 34},
      {31, 13, 32, 2,  24, 30, 35, 32, 1,  16, 17, 2,  21, 37, 6, 1, 28, 27, 0,  12,
       24, 2,  24, 30, 25, 36, 5,  30, 34, 7,  2,  24, 30, 15, 3, 9, 32, 30, 34, 39},
      {34, 9, 33, 6,  26, 10, 37, 38, 1,  8, 30, 11, 16, 38, 1, 0,  37, 38, 5,  0,
       12, 0, 17, 28, 24, 30, 4,  31, 24, 0, 12, 32, 28, 7,  3, 20, 29, 37, 27, 32}}},
    {"top_p_reference_seed4",
     DType::Float64,
     sampled(4, 0.9, 0, 0.8, NucleusRule::Reference),
     {{9,  34, 37, 4,  25, 14, 24, 3,  37, 4,  19, 31, 24, 38, 34, 7,  3, 38, 1,  28,
       30, 7,  11, 33, 6,  18, 26, 25, 34, 39, 27, 11, 15, 11, 14, 23, 8, 20, 28, 2},
      {3,  31, 37, 4,  25, 14, 24, 1,  28, 2,  22, 36, 16, 39, 37, 6,  1,  28, 0,  37,
       38, 3,  21, 38, 8,  18, 26, 28, 24, 39, 28, 8,  12, 7,  11, 23, 10, 19, 29, 4},
      {11, 33, 37, 6,  26, 10, 33, 7,  31, 4,  15, 30, 15, 39, 37, 10, 3,  37, 3,  37,
       38, 5,  24, 33, 6,  18, 31, 31, 27, 39, 33, 16, 15, 12, 14, 24, 10, 25, 34, 7}}},
    {"top_p_k_reference_seed5_f32",
     DType::Float32,
     sampled(5, 1.0, 7, 0.9, NucleusRule::Reference),
     {{33, 12, 39, 18, 25, 34, 39, 18, 3,  21, 10, 3,  23, 33, 17, 24, 38, 23, 25, 6,
       32, 39, 38, 10, 6,  18, 34, 7,  34, 7,  7,  11, 13, 0,  12, 39, 5,  33, 20, 13},
      {37, 12, 38, 19, 34, 32, 32, 18, 5,  20, 0, 6,  16, 26, 10, 6,  32, 8,  37, 12,
       38, 32, 32, 7,  7,  7,  39, 0,  25, 3,  3, 21, 31, 4,  3,  31, 9,  13, 33, 17},
      {34, 13, 30, 25, 36, 20, 29, 22, 30, 15, 3, 3, 21, 37, 17, 24, 38, 15, 36, 6,
       32, 30, 35, 6,  7,  11, 32, 0,  29, 0,  6, 7, 7,  2,  5,  38, 5,  33, 20, 8}}},
    {"top_p_hf_seed6",
     DType::Float64,
     sampled(6, 1.0, 0, 0.6, NucleusRule::HuggingFace),
     {{14, 0,  4,  17, 32, 11, 16, 25, 6,  34, 31, 37, 6,  15, 3, 38, 8,  28, 7,  37,
       3,  13, 10, 36, 20, 24, 24, 0,  30, 34, 25, 30, 11, 16, 3, 23, 19, 39, 16, 15},
      {7, 3, 5, 27, 30, 19, 7,  28, 0,  32, 15, 34, 3, 18, 1, 34, 7,  25, 17, 38,
       1, 7, 7, 25, 34, 25, 34, 3,  26, 36, 20, 18, 5, 24, 1, 26, 18, 39, 21, 25},
      {15, 7, 2, 24, 30, 19, 11, 23, 1,  26, 18, 26, 2, 13, 0,  38, 7,  11, 12, 38,
       7,  7, 7, 15, 17, 20, 24, 0,  36, 26, 18, 7,  3, 21, 17, 29, 15, 37, 17, 24}}},
    {"top_p_k_hf_seed7_f32",
     DType::Float32,
     sampled(7, 0.8, 6, 0.9, NucleusRule::HuggingFace),
     {{34, 31, 9,  16, 11, 13, 37, 17, 2,  24, 30, 25, 34, 3, 9, 15, 25, 36, 8, 30,
       11, 4,  11, 13, 37, 17, 39, 9,  26, 30, 25, 37, 12, 0, 6, 7,  7,  3,  5, 38},
      {39, 18, 1,  16, 17, 18, 25, 34, 3, 21, 32, 28, 7,  2, 24, 0,  28, 24, 4, 11,
       4,  3,  13, 18, 25, 36, 30, 4,  3, 31, 24, 38, 10, 6, 1,  16, 11, 4,  3, 31},
      {34, 24, 0, 12, 13, 1,  16, 11, 4,  7,  11, 32, 2, 0, 18, 1,  8, 30, 15, 25,
       33, 6,  7, 7,  11, 18, 32, 27, 11, 37, 21, 37, 3, 9, 2,  24, 4, 3,  5,  38}}},
};

INSTANTIATE_TEST_SUITE_P(SeedsAndFlags, PinnedTokens, ::testing::ValuesIn(kPinned),
                         [](const auto& info) { return std::string(info.param.name); });

// Each decoded token costs the host one read: the [B] ids of the step (greedy or sampled, a
// left-padded batch, the KV/G cache), never the logits.
TEST(DecodeStep, OneHostReadPerDecodedToken) {
  auto model = testing::tiny_model();
  model->to(DType::Float32);
  for (const SamplingOptions& sampling : {greedy(), sampled(9, 0.9, 5, 0.8, NucleusRule::HuggingFace)}) {
    GenerationOptions o;
    o.max_new_tokens = 12;
    o.stop_at_eos = false;
    o.sampling = sampling;
    reset_runtime_counts();
    const std::vector<GenerationResult> r = generate_batch(*model, kPrompts, o);
    const RuntimeCounts counts = runtime_counts();
    ASSERT_EQ(r[0].tokens.size(), 12u);
    EXPECT_EQ(counts.host_reads, 12u) << (sampling.greedy ? "greedy" : "sampled");
    EXPECT_EQ(dispatch_count(Op::SampleRows), 12u);
  }
}

TEST(DecodeStep, NaNLogitsStopGenerationNamingThem) {
  auto model = testing::tiny_model();
  model->final_layer.bias.value().select(0, 4).fill(NAN);
  for (const SamplingOptions& sampling : {greedy(), sampled(1, 1.0, 0, 1.0, NucleusRule::Reference)}) {
    GenerationOptions o;
    o.sampling = sampling;
    try {
      generate(*model, {3, 8}, o);
      FAIL() << "NaN logits gave a token";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("NaN logits"), std::string::npos) << e.what();
    }
  }
}

// Decode steps as generate() runs them: a prompt pass, then one token per forward.
struct Decoded {
  std::vector<Tensor> logits;                  // each step's [B, 1, V]
  std::vector<std::vector<const void*>> data;  // per step: layer 0's key and value buffers, the key ids
};

Decoded decode(const PldrModel& model, InferenceCache& cache, const Tensor& prompt, int64_t steps) {
  ag::NoGradGuard no_grad;
  Decoded d;
  Tensor input = prompt;
  for (int64_t s = 0; s < steps; ++s) {
    d.logits.push_back(model.forward(input, &cache).logits.value());
    const LayerCache& l = cache.layers[0];
    d.data.push_back({l.keys.data<double>(), l.values.data<double>(), cache.key_ids.data<int32_t>()});
    input = from_vector(std::vector<int32_t>(prompt.shape()[0], 11 + static_cast<int32_t>(s)), {prompt.shape()[0], 1});
  }
  return d;
}

const Tensor kBatch = from_vector(std::vector<int32_t>{3, 8, 12, 5, 9, 14, 7, 6}, {2, 4});

TEST(CacheBuffers, AReservedCacheKeepsItsAddressesAndGivesTheSameLogits) {
  auto model = testing::tiny_model();
  InferenceCache reserved(2), grown(2);
  reserved.reserve(4 + 20);
  grown.reserve(4);  // grows on the first decode step, to 8, then to 16
  const Decoded a = decode(*model, reserved, kBatch, 20);
  const Decoded b = decode(*model, grown, kBatch, 20);
  EXPECT_EQ(reserved.layers[0].key_buffer.shape(), (Shape{2, 2, 24, 8}));
  EXPECT_EQ(reserved.key_id_buffer.shape(), (Shape{2, 24}));
  EXPECT_EQ(reserved.layers[1].keys.shape(), (Shape{2, 2, 23, 8}));  // the filled prefix
  for (size_t s = 1; s < a.data.size(); ++s) EXPECT_EQ(a.data[s], a.data[0]) << "step " << s;
  EXPECT_NE(b.data[1], b.data[0]);  // grown past 4 positions
  EXPECT_EQ(grown.layers[0].key_buffer.shape()[2], 32);
  for (size_t s = 0; s < a.logits.size(); ++s) EXPECT_EQ(testing::max_abs_diff(a.logits[s], b.logits[s]), 0.0) << s;
}

TEST(CacheBuffers, WithoutAReservationTheModelsPositionsAreAllocated) {
  auto model = testing::tiny_model();
  InferenceCache cache(2);
  decode(*model, cache, kBatch, 2);
  EXPECT_EQ(cache.layers[1].value_buffer.shape(), (Shape{2, 2, 64, 8}));
  EXPECT_EQ(cache.length(), 5);
  EXPECT_THROW(cache.reserve(10), std::logic_error);  // too late: the buffers exist
}

TEST(CacheBuffers, ACacheHoldsOneBatch) {
  auto model = testing::tiny_model();
  InferenceCache cache(2);
  decode(*model, cache, kBatch, 1);
  ag::NoGradGuard no_grad;
  try {
    model->forward(testing::ids({4}), &cache);
    FAIL() << "a one-row step went into a two-row cache";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("a cache holds one batch"), std::string::npos) << e.what();
  }
}

// Recording a tape through a cached step still differentiates the new token's keys and values.
TEST(CacheBuffers, ACachedStepUnderTheTapeKeepsItsGradient) {
  auto model = testing::tiny_model();
  InferenceCache cache(2);
  {
    ag::NoGradGuard no_grad;
    model->forward(testing::ids({3, 8, 12}), &cache);
  }
  const ag::Variable logits = model->forward(testing::ids({5}), &cache).logits;
  ag::sum(logits).backward();
  const Tensor g = model->decoder.dec_layers[1]->mha1.wv.weight.grad();
  ASSERT_TRUE(g.defined());  // layer 1's wv reaches the logits only through the new token's value
  double norm = 0;
  for (double x : g.to_vector<double>()) norm += x * x;
  EXPECT_GT(norm, 0.0);
}

}  // namespace
}  // namespace pldr
