// Several training runs side by side (`pldr plot RUN/metrics.jsonl ... --table results.md`, and
// scripts/reproduce.sh ablations): a Markdown table of each run's final numbers (their curves are
// io::comparison_panels, io/metrics_log.h).
#pragma once
#include <string>
#include <vector>

#include "io/metrics_log.h"

namespace pldr::io {

struct NamedRun {
  std::string name;  // the table's row name
  MetricsTable table;
};

// One row per run: steps, the last logged training loss, the last and the lowest validation loss,
// the last bits per character, and the last training DAG terms; "-" where a run has no such key.
std::string results_table(const std::vector<NamedRun>& runs);

}  // namespace pldr::io
