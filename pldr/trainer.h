// The training loop (`pldr train`): data -> forward -> loss (+ DAG) -> backward -> clip ->
// AdamW -> metrics, validation and checkpoints, with exact resume.
#pragma once
#include <string>

#include "pldr/run_config.h"

namespace pldr {

struct TrainOptions {
  std::string resume_from;    // a checkpoint to continue (its run configuration is used)
  int64_t stop_after = -1;    // stop once this many steps are done (< 0: run to training.steps)
  bool quiet = false;         // no progress output
};

struct TrainSummary {
  int64_t steps = 0;
  double last_loss = 0;       // running training loss at the end
  double val_loss = 0;        // nats per token (0 without validation data)
  double val_accuracy = 0;
  double val_bits_per_char = 0;  // 0 when the data's meta file is unknown
  double seconds = 0;
  std::string checkpoint;
};

// Throws std::runtime_error on bad inputs, and on a NaN/infinite loss (naming the step and the
// last good checkpoint, which is left in place).
TrainSummary train(const RunConfig& config, const TrainOptions& options);

}  // namespace pldr
