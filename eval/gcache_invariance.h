// The G-cache invariance experiment (second paper, arXiv 2502.13502): how far the deductive outputs
// a model computes at each generation step, over the whole sequence so far and without the G-cache,
// are from the values the G-cache froze from the prompt (docs/pldr-llm.md §4.2), and whether the generated
// tokens differ between the two modes. Greedy decoding; the model runs under no-grad.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pldr/generate.h"
#include "pldr/model.h"

namespace pldr::eval {

// RMSE and max |difference| of one head's dk x dk matrix, uncached against cached.
struct MatrixDifference {
  double rmse = 0, max_abs = 0;
};

// det(M) of a dk x dk matrix, by LU with partial pivoting in float64: the sign and log10 |det| are
// kept apart so a determinant beyond the double range is still reported.
struct Determinant {
  double value = 0;      // sign · 10^log10_abs (inf or 0 outside the double range)
  double log10_abs = 0;  // -inf for a singular matrix
  int sign = 0;
  std::string text() const;  // value to 15 significant digits ("%.15g")
};
Determinant determinant_lu(const std::vector<double>& matrix, int64_t n);

struct HeadStep {
  MatrixDifference A, A_LM, G_LM;
  Determinant det_G_LM;  // of the uncached G_LM at this step
};

struct PromptInvariance {
  std::vector<int32_t> prompt;
  std::vector<int32_t> tokens_cached, tokens_uncached;    // greedy, KV+G cache and no cache
  std::vector<std::vector<Determinant>> det_G_LM_cached;  // [layer][head], frozen from the prompt
  std::vector<std::vector<std::vector<HeadStep>>> steps;  // [step][layer][head]; step s sees prompt + s tokens
};

struct InvarianceOptions {
  int64_t max_new_tokens = 16;
  // Hook for task scores with and without the cache (the eval command): called once per mode, its
  // JSON is stored under "eval" in the report. Unset: the report has no "eval" entry.
  std::function<nlohmann::json(const PldrModel&, CacheMode)> eval_scores;
};

struct InvarianceReport {
  std::vector<PromptInvariance> prompts;
  nlohmann::json eval;  // null unless InvarianceOptions::eval_scores is set
  nlohmann::json to_json() const;
  // Per layer and step, the mean over prompts and heads of each RMSE: [layer][step].
  std::vector<std::vector<double>> mean_rmse(const std::string& which) const;  // "A", "A_LM" or "G_LM"
};

InvarianceReport gcache_invariance(const PldrModel& model, const std::vector<std::vector<int32_t>>& prompts,
                                   const InvarianceOptions& options);

}  // namespace pldr::eval
