// What one training step asks of the backend, fixed by design (the lean-runtime issue): one host
// read per optimizer step, one AdamW kernel for the flat parameters, clipping in place, no
// gradient for the attention mask, and the same numbers as the step computed them before.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "optim/adamw.h"
#include "optim/clipping.h"
#include "pldr/losses.h"
#include "tensor/backend.h"
#include "tensor/flat.h"
#include "tensor/random.h"
#include "tests/pldr/tiny_model.h"
#include "train/step.h"

namespace pldr::testing {
namespace {

Example tiny_example(uint64_t seed) {
  Generator gen(seed);
  std::vector<int32_t> ids;
  for (double u : gen.uniform({2 * 9}, 1, 40, DType::Float64).to_vector<double>()) ids.push_back(int32_t(u));
  return example_from_tokens(from_vector(ids, {2, 9}, DType::Int32));
}

StepSettings reference_settings() {
  StepSettings s;
  s.dag = {0.01, 0.0, 0.02};
  s.report_dag = true;
  s.clip_value = 1.0;
  s.clip_norm = 0.5;
  return s;
}

TEST(StepCounts, OneHostReadPerOptimizerStepAndOneUpdateKernel) {
  auto model = tiny_model();
  optim::AdamW adamw(model->parameters(), {});
  const std::vector<Example> micro_batches{tiny_example(1), tiny_example(2)};
  for (int step = 0; step < 2; ++step) {
    reset_runtime_counts();
    train_step(*model, adamw, micro_batches, 1e-3, reference_settings());
    EXPECT_EQ(runtime_counts().host_reads, 1u) << "step " << step;
    EXPECT_EQ(dispatch_count(Op::AdamW), 1u) << "every parameter in one run";
    EXPECT_EQ(dispatch_count(Op::Clamp), 1u) << "value clipping in place, one run";
    EXPECT_EQ(dispatch_count(Op::SumOfSquares), 1u);
  }
}

TEST(StepCounts, ParametersGradientsAndMomentsAreFlat) {
  auto model = tiny_model();
  optim::AdamW adamw(model->parameters(), {});
  std::vector<Tensor> values, grads;
  for (const ag::Variable& p : model->parameters()) values.push_back(p.value());
  EXPECT_TRUE(joined_view(values).defined());
  EXPECT_TRUE(joined_view(adamw.first_moments()).defined());
  EXPECT_TRUE(joined_view(adamw.second_moments()).defined());
  train_step(*model, adamw, {tiny_example(3)}, 1e-3, reference_settings());
  EXPECT_TRUE(joined_view(values).defined()) << "the step updates the parameters in place";
  ag::sum(model->forward(tiny_example(4).input).logits).backward();
  for (const ag::Variable& p : model->parameters()) grads.push_back(p.grad());
  EXPECT_TRUE(joined_view(grads).defined());
}

// The step's numbers as the previous step computed them: a plain forward, read as it goes.
TEST(StepCounts, TheNumbersAreThoseOfAPlainForwardPass) {
  auto model = tiny_model(), twin = tiny_model();
  optim::AdamW adamw(model->parameters(), {});
  const Example ex = tiny_example(5);
  const StepResult r = train_step(*model, adamw, {ex}, 1e-3, reference_settings());
  const ForwardResult f = twin->forward(ex.input);
  const LanguageModelLoss ce = masked_cross_entropy(f.logits, ex.target);
  const DagLoss dag = dag_loss(f.layers, reference_settings().dag);
  EXPECT_EQ(r.loss, ce.loss.item());
  EXPECT_EQ(r.accuracy, ce.accuracy());
  EXPECT_EQ(r.targets, ce.counted());
  EXPECT_EQ(r.dag[0], dag.A_LM.item());
  EXPECT_EQ(r.dag[2], dag.G_LM.item());
  ag::add(ce.loss, dag.weighted).backward();
  std::vector<ag::Variable> params = twin->parameters();
  optim::clip_grad_value(params, 1.0);
  EXPECT_EQ(r.grad_norm, optim::grad_norm(params));
}

TEST(StepCounts, ANonFiniteLossThrowsAndLeavesTheParameters) {
  auto model = tiny_model();
  optim::AdamW adamw(model->parameters(), {});
  std::vector<ag::Variable> params = model->parameters();
  params[0].mutable_value().fill(std::nan(""));
  const std::vector<double> before = params[1].value().to_vector<double>();
  EXPECT_THROW(train_step(*model, adamw, {tiny_example(6)}, 1e-3, reference_settings()), TrainingDiverged);
  EXPECT_EQ(params[1].value().to_vector<double>(), before);
  EXPECT_FALSE(params[1].grad().defined());
}

}  // namespace
}  // namespace pldr::testing
