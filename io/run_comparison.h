// Several training runs side by side (`pldr plot RUN/metrics.jsonl ... --table results.md`, and
// scripts/reproduce.sh ablations): curves with one series per run, and a Markdown table of each
// run's final numbers.
#pragma once
#include <string>
#include <vector>

#include "io/metrics_log.h"
#include "io/svg_line_chart.h"

namespace pldr::io {

struct NamedRun {
  std::string name;  // the legend label and the table's row name
  MetricsTable table;
};

// Training loss, validation loss, validation bits per character and the three DAG terms (with
// their validation values), one series per run that logged the key; panels no run has are left out.
std::vector<Panel> comparison_panels(const std::vector<NamedRun>& runs);

// One row per run: steps, the last logged training loss, the last and the lowest validation loss,
// the last bits per character, and the last training DAG terms; "-" where a run has no such key.
std::string results_table(const std::vector<NamedRun>& runs);

}  // namespace pldr::io
