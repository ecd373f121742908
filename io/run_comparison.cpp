#include "io/run_comparison.h"

#include <algorithm>
#include <cstdio>

#include "io/metric_keys.h"

namespace pldr::io {

using namespace metric_keys;

namespace {
// The last value of `key` (or its lowest), to four digits; "-" when absent.
std::string cell(const MetricsTable& t, const std::string& key, bool lowest = false) {
  if (!t.has(key) || t.columns.at(key).empty()) return "-";
  const auto& column = t.columns.at(key);
  const double v = lowest ? std::min_element(column.begin(), column.end(),
                                             [](const auto& a, const auto& b) { return a.second < b.second; })
                                ->second
                          : column.back().second;
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}
}  // namespace

std::string results_table(const std::vector<NamedRun>& runs) {
  std::string md =
      "| run | steps | training loss | validation loss | lowest validation loss | bits/char | DAG A_LM | DAG Ap | DAG "
      "G_LM |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const NamedRun& r : runs) {
    const MetricsTable& t = r.table;
    const std::string steps = t.has(kLoss) ? std::to_string(int64_t(t.columns.at(kLoss).back().first)) : "-";
    md += "| " + r.name + " | " + steps + " | " + cell(t, kLoss) + " | " + cell(t, kValLoss) + " | " +
          cell(t, kValLoss, true) + " | " + cell(t, kValBitsPerChar) + " | " + cell(t, kDagALM) + " | " +
          cell(t, kDagAp) + " | " + cell(t, kDagGLM) + " |\n";
  }
  return md;
}

}  // namespace pldr::io
