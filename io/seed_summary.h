// Runs repeated with several seeds, one row per variant (`pldr plot ... --summary summary.md`, and
// scripts/reproduce.sh ablations, whose runs live in <dir>/seed<k>/<variant>/ and are named
// "<variant>/seed<k>"): the mean and the spread over the seeds of each variant's final numbers.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "io/metrics_log.h"

namespace pldr::io {

// The headline of a `pldr invariance` report (its "summary" object).
struct InvarianceSummary {
  bool tokens_identical = false;  // greedy tokens the same with and without the G-cache, every prompt
  double worst_G_LM_rmse = 0;     // the largest RMSE of G_LM between the two, over steps and layers
};

// `pldr invariance -o R.json`'s summary; IoError naming the file when it is unreadable or lacks it.
InvarianceSummary read_invariance_summary(const std::string& path);

struct SeededRun {
  std::string name;  // "<variant>/seed<k>", or any name (a variant of its own)
  MetricsTable table;
  std::optional<InvarianceSummary> invariance;
};

// The variant of a run named "<variant>/seed<k>": <variant>; any other name is its own variant.
std::string variant_of(const std::string& run_name);

// One row per variant, in order of first appearance: the number of seeds, the steps, the last
// validation loss and bits per character (mean ± sample standard deviation over the seeds), the
// lowest validation loss (mean), the median training tokens/s of each run and its training seconds
// (means over the seeds), and from the invariance reports, the runs whose tokens were identical and the mean worst G_LM
// RMSE; "-" where no run of the variant has the number.
std::string seed_summary_table(const std::vector<SeededRun>& runs);

}  // namespace pldr::io
