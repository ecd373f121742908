// A task end to end: its documents' requests encoded, scored in batches, and each item's metrics.
#pragma once
#include <functional>

#include "data/tokenizer.h"
#include "eval/loglikelihood.h"
#include "eval/metrics.h"

namespace pldr::eval {

struct TaskRun {
  TaskResult result;
  std::vector<ItemResult> items;
};

// The first `limit` documents (all when limit <= 0).
TaskRun evaluate_task(const PldrModel& model, const data::Tokenizer& tokenizer, const Task& task, int64_t limit,
                      const ScoringOptions& options);

}  // namespace pldr::eval
