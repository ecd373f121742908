#include "train/step.h"

#include <cmath>
#include <cstdio>

#include "autograd/ops.h"
#include "dist/gradients.h"
#include "optim/clipping.h"
#include "pldr/losses.h"

namespace pldr {

namespace {

// The step's numbers, summed over the ranks in one all-reduce.
struct StepSums {
  double loss = 0, accuracy = 0;
  std::array<double, 3> dag{0, 0, 0};
  double targets = 0;
  double diverged = 0;                             // micro-batches with a non-finite loss
  std::array<double, 5> first_bad{0, 0, 0, 0, 0};  // loss, cross-entropy, DAG terms of the first of them
};
static_assert(sizeof(StepSums) == 12 * sizeof(double));  // no padding: all-reduced as doubles

}  // namespace

Example example_from_tokens(const Tensor& tokens) {
  const int64_t L = tokens.shape()[1];
  return {tokens.slice(1, 0, L - 1).contiguous(), tokens.slice(1, 1, L).contiguous()};
}

StepResult train_step(PldrModel& model, optim::AdamW& optimizer, const std::vector<Example>& micro_batches, double lr,
                      const StepSettings& settings, dist::ProcessGroup* group) {
  const double ranks = group ? double(group->world_size()) : 1.0;
  const double count = double(micro_batches.size()) * ranks;  // micro-batches in the global step
  StepSums sums;
  StepResult result;
  for (const Example& ex : micro_batches) {
    // Batches are read on the host; one copy each to the model's device (none on the CPU).
    const ForwardResult r = model.forward(ex.input.to(model.device()));
    const LanguageModelLoss ce = masked_cross_entropy(r.logits, ex.target.to(model.device()));
    if (settings.deductive_stats && &ex == &micro_batches.front())
      result.deductive = deductive_stats(r.layers, model.config().custom_G_type == GType::Learned);
    ag::Variable total = ce.loss;
    std::array<double, 3> dag{0, 0, 0};
    if (settings.report_dag) {
      const DagLoss d = dag_loss(r.layers, settings.dag);
      if (d.weighted.defined()) total = ag::add(total, d.weighted);
      dag = {d.A_LM.item(), d.Ap.item(), d.G_LM.item()};
      for (size_t i = 0; i < 3; ++i) sums.dag[i] += dag[i];
    }
    const double value = total.item();
    if (!std::isfinite(value)) {  // no backward: the step will not be taken
      if (sums.diverged++ == 0) sums.first_bad = {value, ce.loss.item(), dag[0], dag[1], dag[2]};
      continue;
    }
    ag::mul_scalar(total, 1.0 / count).backward();
    sums.loss += ce.loss.item() / count;
    sums.accuracy += ce.accuracy / count;
    sums.targets += double(ce.counted);
  }
  if (group) group->all_reduce(reinterpret_cast<double*>(&sums), sizeof(StepSums) / sizeof(double), DType::Float64);
  if (sums.diverged > 0) {
    optimizer.zero_grad();
    const auto& b = sums.first_bad;
    char parts[160];
    std::snprintf(parts, sizeof parts, " (cross-entropy %g, DAG terms A_LM %g, Ap %g, G_LM %g)", b[1], b[2], b[3],
                  b[4]);
    throw TrainingDiverged("the loss is " + std::to_string(b[0]) + parts);
  }

  std::vector<ag::Variable> params = model.parameters();
  if (group) dist::all_reduce_gradients(*group, params);
  if (settings.clip_value > 0) optim::clip_grad_value(params, settings.clip_value);
  result.grad_norm =
      settings.clip_norm > 0 ? optim::clip_grad_norm(params, settings.clip_norm) : optim::grad_norm(params);
  optimizer.step(lr);
  optimizer.zero_grad();
  result.loss = sums.loss;
  result.accuracy = sums.accuracy;
  for (size_t i = 0; i < 3; ++i) result.dag[i] = sums.dag[i] / count;
  result.targets = int64_t(sums.targets);
  return result;
}

}  // namespace pldr
