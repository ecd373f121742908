// lm-evaluation-harness's multiple-choice metrics (docs/pldr-llm.md §9, eval README §2.0): acc, acc_norm (the
// log-likelihood divided by the choice's length in characters) and TruthfulQA's mc2, per item and
// as means with their standard errors.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/tasks.h"

namespace pldr::eval {

struct ItemResult {
  std::string task;
  int64_t doc_id = 0;
  std::vector<double> loglikelihoods;  // one per choice, summed over the continuation's tokens
  std::vector<int64_t> lengths;        // each choice string's length in characters (code points)
  int64_t gold = 0;
  std::vector<int> mc2_labels;     // TruthfulQA MC2 only
  double acc = 0;                  // 0/1, or the mc2 score
  std::optional<double> acc_norm;  // absent for mc2
};

// argmax as numpy's: the first of equal maxima.
size_t argmax(const std::vector<double>& values);

ItemResult score_item(const std::string& task, TaskMetric metric, const Document& doc,
                      std::vector<double> loglikelihoods);

struct Mean {
  double value = 0;
  double stderr_ = 0;  // sample standard deviation / sqrt(n), as lm-eval's mean_stderr
};
Mean mean_with_stderr(const std::vector<double>& values);

struct TaskResult {
  std::string task;
  int64_t items = 0;
  Mean acc;
  std::optional<Mean> acc_norm;
};
TaskResult aggregate(const std::string& task, const std::vector<ItemResult>& items);

}  // namespace pldr::eval
