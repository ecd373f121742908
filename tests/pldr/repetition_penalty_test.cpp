// pldr/repetition_penalty.h: Hugging Face's rule on each row, and generation unchanged at 1.
#include "pldr/repetition_penalty.h"

#include <gtest/gtest.h>

#include "pldr/generate.h"
#include "tensor/creation.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

TEST(RepetitionPenalty, DividesPositiveAndMultipliesNegativeLogitsOfTokensSeen) {
  const Tensor logits = from_vector<double>({2, -1, 0.5, 3, /* row 1 */ 1, 1, -4, 1}, {2, 4});
  // Row 0 saw tokens 0 and 1 (1 twice: penalised once); row 1 saw token 2.
  const Tensor out = apply_repetition_penalty(logits, {{0, 1, 1}, {2}}, 2.0);
  EXPECT_EQ(out.to_vector<double>(), (std::vector<double>{1, -2, 0.5, 3, 1, 1, -8, 1}));
  EXPECT_EQ(out.dtype(), logits.dtype());
  EXPECT_EQ(apply_repetition_penalty(logits, {{0, 1}, {2}}, 1.0).to_vector<double>(), logits.to_vector<double>());
  EXPECT_THROW(apply_repetition_penalty(logits, {{0}}, 2.0), std::invalid_argument);
  EXPECT_THROW(apply_repetition_penalty(logits, {{0}, {1}}, 0.0), std::invalid_argument);
}

TEST(RepetitionPenalty, AStrongPenaltyChangesGreedyGenerationAndOneDoesNot) {
  const std::unique_ptr<PldrModel> owned = testing::tiny_model();
  const PldrModel& model = *owned;
  GenerationOptions o;
  o.max_new_tokens = 12;
  o.sampling.greedy = true;
  o.stop_at_eos = false;
  const std::vector<int32_t> prompt{2, 5, 9};
  const std::vector<int32_t> plain = generate(model, prompt, o).tokens;
  o.repetition_penalty = 1.0;
  EXPECT_EQ(generate(model, prompt, o).tokens, plain);
  o.repetition_penalty = 50.0;
  const std::vector<int32_t> penalised = generate(model, prompt, o).tokens;
  EXPECT_NE(penalised, plain);
}

}  // namespace
}  // namespace pldr
