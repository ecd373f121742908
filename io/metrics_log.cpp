#include "io/metrics_log.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/error.h"
#include "io/metric_keys.h"

namespace pldr::io {

using namespace metric_keys;

MetricsTable read_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("metrics " + path + ": cannot be opened");
  MetricsTable table;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains(kStep) || !j[kStep].is_number())
      throw IoError("metrics " + path + ": line " + std::to_string(number) +
                    " is not a JSON object with a numeric step");
    const double step = j[kStep].get<double>();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != kStep && it.value().is_number())
        table.columns[it.key()].emplace_back(step, it.value().get<double>());
  }
  return table;
}

namespace {
Series series(const MetricsTable& t, const std::string& key, const std::string& label) {
  Series s{label, {}, {}};
  for (const auto& [x, y] : t.columns.at(key)) s.x.push_back(x), s.y.push_back(y);
  return s;
}

Panel panel(const MetricsTable& t, const std::string& title, const std::string& y_label,
            const std::vector<std::pair<std::string, std::string>>& keys) {
  Panel p{title, "step", y_label, false, {}};
  for (const auto& [key, label] : keys)
    if (t.has(key)) p.series.push_back(series(t, key, label));
  return p;
}
}  // namespace

std::vector<Panel> training_curve_panels(const MetricsTable& t) {
  std::vector<Panel> panels;
  auto add = [&](Panel p) {
    if (!p.series.empty()) panels.push_back(std::move(p));
  };
  add(panel(t, "Loss", "cross-entropy (nats/token)", {{kLoss, "training"}, {kValLoss, "validation"}}));
  add(panel(t, "Validation bits per character", "bits/char", {{kValBitsPerChar, "validation"}}));
  add(panel(t, "Learning rate", "lr", {{kLr, "learning rate"}}));
  add(panel(t, "DAG terms", "|log(tr expm(M∘M)/dk)|",
            {{kDagALM, "A_LM"},
             {kDagAp, "Ap"},
             {kDagGLM, "G_LM"},
             {kValDagALM, "A_LM, validation"},
             {kValDagAp, "Ap, validation"},
             {kValDagGLM, "G_LM, validation"}}));
  add(panel(t, "Accuracy", "next-token accuracy", {{kAccuracy, "training"}, {kValAccuracy, "validation"}}));
  add(panel(t, "Throughput", "tokens/s", {{kTokensPerS, "training"}}));
  add(panel(t, "Epoch averages", "cross-entropy (nats/token)",
            {{kEpochLoss, "training, per epoch"}, {kGlobalLoss, "training, whole run"}}));
  // The deductive outputs' statistics (train/deductive_stats.h): one panel per output, mean and
  // std per layer.
  for (const char* output : {"A_LM", "Ap", "G_LM"}) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (size_t layer = 0; t.has(deductive_stat(output, "mean", layer)); ++layer)
      for (const char* stat : {"mean", "std"})
        keys.emplace_back(deductive_stat(output, stat, layer), "layer " + std::to_string(layer) + " " + stat);
    add(panel(t, std::string(output) + " per layer", "value", keys));
  }
  return panels;
}

}  // namespace pldr::io
