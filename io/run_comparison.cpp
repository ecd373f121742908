#include "io/run_comparison.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "io/metric_keys.h"

namespace pldr::io {

using namespace metric_keys;

namespace {
Panel compare(const std::vector<NamedRun>& runs, const std::string& key, const std::string& title,
              const std::string& y_label) {
  Panel p{title, "step", y_label, false, {}};
  for (const NamedRun& run : runs) {
    if (!run.table.has(key)) continue;
    Series s{run.name, {}, {}};
    for (const auto& [x, y] : run.table.columns.at(key)) s.x.push_back(x), s.y.push_back(y);
    p.series.push_back(std::move(s));
  }
  return p;
}

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

std::vector<Panel> comparison_panels(const std::vector<NamedRun>& runs) {
  std::vector<Panel> panels;
  const std::vector<std::array<std::string, 3>> wanted{
      {kLoss, "Training loss", "cross-entropy (nats/token)"},
      {kValLoss, "Validation loss", "cross-entropy (nats/token)"},
      {kValBitsPerChar, "Validation bits per character", "bits/char"},
      {kDagALM, "DAG term of A_LM", "|log(tr expm(M∘M)/dk)|"},
      {kDagAp, "DAG term of Ap", "|log(tr expm(M∘M)/dk)|"},
      {kDagGLM, "DAG term of G_LM", "|log(tr expm(M∘M)/dk)|"},
      {kValDagGLM, "Validation DAG term of G_LM", "|log(tr expm(M∘M)/dk)|"}};
  for (const auto& [key, title, y_label] : wanted) {
    Panel p = compare(runs, key, title, y_label);
    if (!p.series.empty()) panels.push_back(std::move(p));
  }
  return panels;
}

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
