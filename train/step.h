// One optimiser step of training, shared by the trainer and the golden check:
// micro-batches -> forward -> loss (+ DAG) -> backward -> gradients summed over the ranks ->
// clip -> AdamW.
//
// Data parallelism: each of the N ranks runs its own micro-batches of the global batch. Every
// micro-batch of every rank weighs the same (its loss is scaled by 1/(micro-batches · N) before its
// backward), so the gradients summed over the ranks are the mean over the global step, and one
// small all-reduce sums the step's numbers, so every rank returns (and logs) the same. With one
// rank this is exactly today's single-process step, bit for bit.
//
// Shapes: B batch, S sequence (context).
#pragma once
#include <array>
#include <stdexcept>
#include <vector>

#include "dist/process_group.h"
#include "optim/adamw.h"
#include "pldr/model.h"
#include "train/deductive_stats.h"

namespace pldr {

// One micro-batch: input [B, S] and target [B, S], the target shifted by one token.
struct Example {
  Tensor input, target;
};
// tokens [B, S + 1] (int32) -> input tokens[:, :S], target tokens[:, 1:].
Example example_from_tokens(const Tensor& tokens);

struct StepSettings {
  std::array<double, 3> dag{0, 0, 0};  // coefficients for A_LM, Ap, G_LM (docs/pldr-llm.md §12)
  bool report_dag = false;             // compute the three DAG terms (a learned G) even if unweighted
  double clip_value = 0;               // elementwise clip to [-c, c] (the reference); 0 = off
  double clip_norm = 0;                // global-norm clip; 0 = off
  bool deductive_stats = false;        // summarise the deductive outputs of this rank's first micro-batch
};

// The step's numbers, means over its micro-batches on every rank.
struct StepResult {
  double loss = 0;  // cross-entropy
  double accuracy = 0;
  std::array<double, 3> dag{0, 0, 0};          // DAG terms A_LM, Ap, G_LM (0 unless reported)
  double grad_norm = 0;                        // global L2 norm of the gradients before norm clipping
  int64_t targets = 0;                         // counted targets (!= pad), all ranks
  std::vector<LayerDeductiveStats> deductive;  // this rank's first micro-batch, when asked for
};

// Thrown on every rank when a micro-batch's loss is NaN or infinite on any rank; the parameters are
// then left as they were.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `micro_batches`: this rank's share of the step. `group` null: one process.
StepResult train_step(PldrModel& model, optim::AdamW& optimizer, const std::vector<Example>& micro_batches, double lr,
                      const StepSettings& settings, dist::ProcessGroup* group = nullptr);

}  // namespace pldr
