// Reading a run's metrics.jsonl (one JSON object per logged step) and turning it into the standard
// training-curve panels of `pldr plot`.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/svg_line_chart.h"

namespace pldr::io {

// For each numeric key, the (step, value) pairs of the lines that have it, in file order.
struct MetricsTable {
  std::map<std::string, std::vector<std::pair<double, double>>> columns;
  bool has(const std::string& key) const { return columns.count(key) > 0; }
};

// IoError naming the file and line on a line that is not a JSON object with a numeric "step".
MetricsTable read_metrics(const std::string& path);

// Loss (training and validation), learning rate, DAG terms and accuracy, each present ones only.
std::vector<Panel> training_curve_panels(const MetricsTable& table);

// Several runs overlaid, a series per run (named by the pair's first element): training and
// validation loss, bits per character, accuracy, learning rate and throughput, where logged. Runs
// named "<variant>/seed<k>" get a colour per variant, a line style per seed and a legend entry per
// variant.
std::vector<Panel> comparison_panels(const std::vector<std::pair<std::string, MetricsTable>>& runs);

}  // namespace pldr::io
