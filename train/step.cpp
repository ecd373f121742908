#include "train/step.h"

#include <cmath>
#include <cstdio>

#include "autograd/ops.h"
#include "optim/clipping.h"
#include "pldr/losses.h"

namespace pldr {

Example example_from_tokens(const Tensor& tokens) {
  const int64_t L = tokens.shape()[1];
  return {tokens.slice(1, 0, L - 1).contiguous(), tokens.slice(1, 1, L).contiguous()};
}

StepResult train_step(PldrModel& model, optim::AdamW& optimizer, const std::vector<Example>& micro_batches, double lr,
                      const StepSettings& settings) {
  const double count = double(micro_batches.size());
  StepResult result;
  for (const Example& ex : micro_batches) {
    const ForwardResult r = model.forward(ex.input);
    const LanguageModelLoss ce = masked_cross_entropy(r.logits, ex.target);
    ag::Variable total = ce.loss;
    std::array<double, 3> dag{0, 0, 0};
    if (settings.report_dag) {
      const DagLoss d = dag_loss(r.layers, settings.dag);
      if (d.weighted.defined()) total = ag::add(total, d.weighted);
      dag = {d.A_LM.item(), d.Ap.item(), d.G_LM.item()};
      for (size_t i = 0; i < 3; ++i) result.dag[i] += dag[i];
    }
    const double value = total.item();
    if (!std::isfinite(value)) {
      char parts[160];
      std::snprintf(parts, sizeof parts, " (cross-entropy %g, DAG terms A_LM %g, Ap %g, G_LM %g)", ce.loss.item(), dag[0], dag[1],
                    dag[2]);
      throw TrainingDiverged("the loss is " + std::to_string(value) + parts);
    }
    ag::mul_scalar(total, 1.0 / count).backward();
    result.loss += ce.loss.item() / count;
    result.accuracy += ce.accuracy / count;
    result.targets += ce.counted;
  }
  for (double& d : result.dag) d /= count;
  std::vector<ag::Variable> params = model.parameters();
  if (settings.clip_value > 0) optim::clip_grad_value(params, settings.clip_value);
  result.grad_norm = settings.clip_norm > 0 ? optim::clip_grad_norm(params, settings.clip_norm) : optim::grad_norm(params);
  optimizer.step(lr);
  optimizer.zero_grad();
  return result;
}

}  // namespace pldr
