#include "io/metrics_log.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/error.h"

namespace pldr::io {

MetricsTable read_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("metrics " + path + ": cannot be opened");
  MetricsTable table;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("step") || !j["step"].is_number())
      throw IoError("metrics " + path + ": line " + std::to_string(number) + " is not a JSON object with a numeric step");
    const double step = j["step"].get<double>();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "step" && it.value().is_number()) table.columns[it.key()].emplace_back(step, it.value().get<double>());
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
  add(panel(t, "Loss", "cross-entropy (nats/token)", {{"loss", "training"}, {"val_loss", "validation"}}));
  add(panel(t, "Validation bits per character", "bits/char", {{"val_bits_per_char", "validation"}}));
  add(panel(t, "Learning rate", "lr", {{"lr", "learning rate"}}));
  add(panel(t, "DAG terms", "|log(tr expm(M∘M)/dk)|", {{"dag_A_LM", "A_LM"}, {"dag_Ap", "Ap"}, {"dag_G_LM", "G_LM"}}));
  add(panel(t, "Accuracy", "next-token accuracy", {{"accuracy", "training"}, {"val_accuracy", "validation"}}));
  add(panel(t, "Throughput", "tokens/s", {{"tokens_per_s", "training"}}));
  add(panel(t, "Epoch averages", "cross-entropy (nats/token)", {{"epoch_loss", "training, per epoch"}, {"global_loss", "training, whole run"}}));
  // The deductive outputs' statistics (train/deductive_stats.h): one panel per output, mean and
  // std per layer.
  for (const char* output : {"A_LM", "Ap", "G_LM"}) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (int layer = 0; t.has(std::string(output) + "_mean_layer" + std::to_string(layer)); ++layer)
      for (const char* stat : {"mean", "std"})
        keys.emplace_back(std::string(output) + "_" + stat + "_layer" + std::to_string(layer), "layer " + std::to_string(layer) + " " + stat);
    add(panel(t, std::string(output) + " per layer", "value", keys));
  }
  return panels;
}

}  // namespace pldr::io
