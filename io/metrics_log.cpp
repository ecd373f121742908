#include "io/metrics_log.h"

#include <algorithm>

#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "io/error.h"
#include "io/metric_keys.h"
#include "io/seed_summary.h"

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
  add(panel(t, "DAG terms", "DAG term (0: acyclic)",
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
  // The deductive outputs' statistics (train/deductive_stats.h): one panel per output, a colour
  // per layer, the mean solid and the std dashed.
  for (const char* output : {"A_LM", "Ap", "G_LM"}) {
    Panel p{std::string(output) + " per layer", "step", "value", false, {}};
    for (size_t layer = 0; t.has(deductive_stat(output, "mean", layer)); ++layer)
      for (int stat = 0; stat < 2; ++stat) {
        const char* name = stat == 0 ? "mean" : "std";
        if (!t.has(deductive_stat(output, name, layer))) continue;
        Series s = series(t, deductive_stat(output, name, layer), "layer " + std::to_string(layer) + " " + name);
        s.colour = int(layer), s.dash = stat;
        p.series.push_back(std::move(s));
      }
    add(std::move(p));
  }
  return panels;
}

std::vector<Panel> comparison_panels(const std::vector<std::pair<std::string, MetricsTable>>& runs) {
  std::vector<Panel> panels;
  const std::vector<std::tuple<std::string, std::string, std::string>> metrics{
      {kLoss, "Training loss", "cross-entropy (nats/token)"},
      {kValLoss, "Validation loss", "cross-entropy (nats/token)"},
      {kValBitsPerChar, "Validation bits per character", "bits/char"},
      {kAccuracy, "Training accuracy", "next-token accuracy"},
      {kLr, "Learning rate", "lr"},
      {kTokensPerS, "Throughput", "tokens/s"},
      {kDagALM, "DAG term of A_LM", "DAG term (0: acyclic)"},
      {kDagAp, "DAG term of Ap", "DAG term (0: acyclic)"},
      {kDagGLM, "DAG term of G_LM", "DAG term (0: acyclic)"},
      {kValDagGLM, "Validation DAG term of G_LM", "DAG term (0: acyclic)"}};
  // Runs named "<variant>/seed<k>" (io/seed_summary.h): a colour per variant, a line style per
  // seed, and one legend entry per variant.
  std::vector<std::string> variants;
  std::vector<int> colour(runs.size()), dash(runs.size());
  std::vector<bool> first(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string v = variant_of(runs[i].first);
    const auto at = std::find(variants.begin(), variants.end(), v);
    colour[i] = int(at - variants.begin());
    first[i] = at == variants.end();
    if (first[i]) variants.push_back(v);
    dash[i] =
        int(std::count_if(runs.begin(), runs.begin() + i, [&](const auto& r) { return variant_of(r.first) == v; }));
  }
  const bool seeded = variants.size() < runs.size();
  for (const auto& [key, title, y_label] : metrics) {
    Panel p{title, "step", y_label, false, {}};
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!runs[i].second.has(key)) continue;
      p.series.push_back(series(runs[i].second, key, runs[i].first));
      if (!seeded) continue;
      Series& s = p.series.back();
      s.colour = colour[i], s.dash = dash[i];
      s.label = first[i] ? variants[size_t(colour[i])] : "";
    }
    if (!p.series.empty()) panels.push_back(std::move(p));
  }
  return panels;
}

}  // namespace pldr::io
