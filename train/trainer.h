// The training loop (`pldr train`): data -> train_step (forward, loss, backward, gradients summed
// over the ranks, clip, AdamW) -> metrics, validation and checkpoints, with exact resume. Prints
// nothing: the caller receives the run's numbers through the callbacks in TrainOptions.
//
// Data parallel over a process group: rank r of N reads positions p ≡ r (mod N) of every epoch's
// sample order (data/sample_loader.h), so N ranks with batch b see the samples of one rank with
// batch N·b; losses, accuracies and validation are summed over the ranks, so every rank has the
// same numbers. Only rank 0 writes (run_config.json, metrics.jsonl, checkpoints, atomically);
// the callbacks are called on every rank, with the same numbers.
#pragma once
#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dist/process_group.h"
#include "train/run_config.h"

namespace pldr {

// What the run is about to do (for the caller's first line).
struct TrainStart {
  int64_t parameters = 0;
  int world_size = 1;
  std::string dtype;
  GType g_type = GType::Learned;
  bool resuming = false;
  int64_t first_step = 0, last_step = 0;
  bool sharded_optimizer = false;  // training.shard_optimizer
  int64_t moment_bytes = 0;        // the AdamW moments this rank holds
};

// One logged line: the running averages since the previous line, as written to metrics.jsonl.
struct TrainProgress {
  int64_t step = 0, last_step = 0;
  double loss = 0, accuracy = 0, lr = 0, grad_norm = 0, tokens_per_s = 0;
  // The DAG terms A_LM, Ap, G_LM averaged over the window (0 without a learned G).
  std::array<double, 3> dag{0, 0, 0};
  double eta_s = 0;        // estimated seconds to last_step
  bool validated = false;  // val_loss and val_bits_per_char hold this step's validation
  double val_loss = 0, val_bits_per_char = 0;
  bool final = false;  // the run's last line
};

struct TrainOptions {
  std::string resume_from;  // a checkpoint to continue (its run configuration is used)
  int64_t stop_after = -1;  // stop once this many steps are done (< 0: run to training.steps)
  // On a resume, > 0: the run's training.steps from now on (more steps than the checkpoint's). The
  // cosine schedule is then the one of a run of that many steps: each later step gets that run's
  // learning rate, so the rate steps up at the resume where the decay had gone further.
  int64_t extend_to_steps = -1;
  // On a resume, when set: training.shard_optimizer from now on (the checkpoint holds the whole
  // optimizer state either way).
  std::optional<bool> shard_optimizer;
  // Set (by a signal handler) to stop after the current step: the checkpoint is saved at that step
  // and train returns with `interrupted`. With several ranks, all stop after the same step.
  const std::atomic<bool>* stop_requested = nullptr;
  std::function<void(const TrainStart&)> on_start;
  std::function<void(const TrainProgress&)> on_progress;
  dist::ProcessGroup* group = nullptr;  // null: one process
};

struct TrainSummary {
  int64_t first_step = 0;    // the step this call started from (a resumed checkpoint's)
  int64_t steps = 0;         // the step reached
  bool interrupted = false;  // stopped by stop_requested before the last step
  double last_loss = 0;      // running training loss at the end
  double val_loss = 0;       // nats per token (0 without validation data)
  double val_accuracy = 0;
  double val_bits_per_char = 0;  // 0 when the data's meta file is unknown
  double seconds = 0;
  std::string checkpoint;
  // Each rank's peak resident memory (VmHWM of /proc/self/status, MiB; 0 where unknown), index = rank.
  std::vector<double> peak_memory_mib;
};

// Throws std::runtime_error on bad inputs (a resume with nothing to train: the checkpoint at the
// run's last step, or stop_after not after its step, included), on a NaN/infinite loss (naming the step and the last
// good checkpoint, which is left in place), on resuming a checkpoint at a world size that cannot
// share its data position (adapt_world_size in trainer.cpp), and
// dist::DistError when a rank is lost. An error on one rank is recorded for the others
// (ProcessGroup::abort) before it is rethrown.
TrainSummary train(const RunConfig& config, const TrainOptions& options);

}  // namespace pldr
