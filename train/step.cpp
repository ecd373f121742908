#include "train/step.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <span>

#include "autograd/ops.h"
#include "dist/gradients.h"
#include "optim/clipping.h"
#include "pldr/losses.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

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

// What one micro-batch reports, gathered on the model's device and read with the rest of the step
// in one host read: the total loss, the cross-entropy, the prediction counts {correct, counted}
// and the three DAG terms (0 when not reported).
constexpr size_t kReportWidth = 7;
Tensor micro_batch_report(const ag::Variable& total, const LanguageModelLoss& ce, const DagLoss* dag) {
  std::vector<Tensor> parts{total.value().to(DType::Float64).reshape({1}),
                            ce.loss.value().to(DType::Float64).reshape({1}), ce.prediction_counts};
  if (dag) {
    for (const ag::Variable* term : {&dag->A_LM, &dag->Ap, &dag->G_LM})
      parts.push_back(term->value().to(DType::Float64).reshape({1}));
  } else {
    parts.push_back(zeros({3}, DType::Float64, total.value().device()));
  }
  return ops::concat(parts, 0);
}

// ZeRO stage 1 (training.shard_optimizer; docs/framework.md §5): the gradients summed over the
// ranks into this rank's shard of the flat gradient buffer (a reduce-scatter), and clipped there:
// by value element by element, by the global norm with the norm's square summed over the shards
// (one all-reduce of a scalar). Returns the norm ([] float64), as the unsharded path reports it
// within rounding (its sum runs over whole tensors).
Tensor summed_clipped_shard(optim::AdamW& optimizer, const StepSettings& settings, dist::ProcessGroup* group) {
  optimizer.gradients_to_slots();
  Tensor flat = optimizer.flat_gradients();
  if (group && group->world_size() > 1) group->reduce_scatter(flat);
  std::vector<Tensor> shard = optimizer.shard_gradients();
  if (settings.clip_value > 0)
    for (Tensor& g : shard) ops::unary_into(UnaryOp::Clamp, g, -settings.clip_value, settings.clip_value);
  const double local = ops::global_norm(shard).item();
  std::array<double, 1> squares{local * local};
  if (group) group->all_reduce(std::span<double>(squares));
  const Tensor norm = full({}, std::sqrt(squares[0]), DType::Float64);
  if (settings.clip_norm > 0) {
    const Tensor coefficient = ops::clip_coefficient(norm, settings.clip_norm);
    for (Tensor& g : shard) ops::binary_into(BinaryOp::Mul, g, coefficient.to(g.dtype()));
  }
  return norm;
}

}  // namespace

Example example_from_tokens(const Tensor& tokens) {
  const int64_t L = tokens.shape()[1];
  return {tokens.slice(1, 0, L - 1).contiguous(), tokens.slice(1, 1, L).contiguous()};
}

StepResult train_step(PldrModel& model, optim::AdamW& optimizer, const std::vector<Example>& micro_batches, double lr,
                      const StepSettings& settings, dist::ProcessGroup* group) {
  const double ranks = group ? double(group->world_size()) : 1.0;
  const double count = double(micro_batches.size()) * ranks;  // micro-batches in the global step
  StepResult result;
  // Forward and backward without reading anything back: a micro-batch whose loss is not finite
  // is found after the backward passes, in the one read below, and the step is then not taken.
  std::vector<Tensor> reports;
  for (const Example& ex : micro_batches) {
    // Batches are read on the host; one copy each to the model's device (none on the CPU).
    const ForwardResult r = model.forward(ex.input.to(model.device()));
    const LanguageModelLoss ce = masked_cross_entropy(r.logits, ex.target.to(model.device()));
    if (settings.deductive_stats && &ex == &micro_batches.front())
      result.deductive = deductive_stats(r.layers, model.config().custom_G_type == GType::Learned);
    ag::Variable total = ce.loss;
    DagLoss dag;
    if (settings.report_dag) {
      dag = dag_loss(r.layers, settings.dag);
      if (dag.weighted.defined()) total = ag::add(total, dag.weighted);
    }
    reports.push_back(micro_batch_report(total, ce, settings.report_dag ? &dag : nullptr));
    ag::mul_scalar(total, 1.0 / count).backward();
  }

  std::vector<ag::Variable> params = model.parameters();
  Tensor norm;
  if (optimizer.sharded()) {
    norm = summed_clipped_shard(optimizer, settings, group);
  } else {
    if (group) dist::all_reduce_gradients(*group, params);
    if (settings.clip_value > 0) optim::clip_grad_value(params, settings.clip_value);
    norm = settings.clip_norm > 0 ? optim::clip_grad_norm_tensor(params, settings.clip_norm)
                                  : optim::grad_norm_tensor(params);
  }
  reports.push_back(norm.to(DType::Float64).reshape({1}).to(reports.front().device()));
  const std::vector<double> read = ops::concat(reports, 0).to_vector<double>();  // the step's one host read

  StepSums sums;
  for (size_t b = 0; b < micro_batches.size(); ++b) {
    const double* row = read.data() + b * kReportWidth;  // total, cross-entropy, correct, counted, DAG x3
    const double value = row[0], counted = row[3];
    if (!std::isfinite(value)) {
      if (sums.diverged++ == 0) sums.first_bad = {value, row[1], row[4], row[5], row[6]};
      continue;
    }
    sums.loss += row[1] / count;
    sums.accuracy += (counted > 0 ? row[2] / counted : 0.0) / count;
    sums.targets += counted;
    for (size_t i = 0; i < 3; ++i) sums.dag[i] += row[4 + i];
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

  result.grad_norm = read.back();
  optimizer.step(lr);
  if (optimizer.sharded() && group && group->world_size() > 1) {  // every rank's updated shard to every rank
    Tensor flat = optimizer.flat_parameters();
    group->all_gather(flat);
  }
  optimizer.zero_grad();
  result.loss = sums.loss;
  result.accuracy = sums.accuracy;
  for (size_t i = 0; i < 3; ++i) result.dag[i] = sums.dag[i] / count;
  result.targets = int64_t(sums.targets);
  return result;
}

}  // namespace pldr
