#include "train/deductive_stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/metric_keys.h"

namespace pldr {

ValueSummary summarize(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  if (v.empty()) throw std::invalid_argument("summarize: an empty tensor");
  ValueSummary s{0, 0, v[0], v[0]};
  for (double x : v) s.mean += x, s.min = std::min(s.min, x), s.max = std::max(s.max, x);
  s.mean /= double(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);  // two passes: no cancellation
  s.std = std::sqrt(s.std / double(v.size()));
  return s;
}

std::vector<LayerDeductiveStats> deductive_stats(const std::vector<LayerDeductive>& layers, bool learned_G) {
  std::vector<LayerDeductiveStats> stats;
  for (const LayerDeductive& d : layers) {
    LayerDeductiveStats s;
    s.has_A_LM = learned_G;
    if (s.has_A_LM) {
      s.A_LM = summarize(d.A_LM.value());
      s.Ap = summarize(d.Ap.value());
    }
    s.G_LM = summarize(d.G_LM.value());
    stats.push_back(s);
  }
  return stats;
}

void add_deductive_stats(nlohmann::json& line, const std::vector<LayerDeductiveStats>& stats) {
  auto put = [&](const std::string& output, size_t layer, const ValueSummary& s) {
    line[io::metric_keys::deductive_stat(output, "mean", layer)] = s.mean;
    line[io::metric_keys::deductive_stat(output, "std", layer)] = s.std;
    line[io::metric_keys::deductive_stat(output, "min", layer)] = s.min;
    line[io::metric_keys::deductive_stat(output, "max", layer)] = s.max;
  };
  for (size_t l = 0; l < stats.size(); ++l) {
    if (stats[l].has_A_LM) {
      put("A_LM", l, stats[l].A_LM);
      put("Ap", l, stats[l].Ap);
    }
    put("G_LM", l, stats[l].G_LM);
  }
}

}  // namespace pldr
