// Summary statistics of the deductive outputs during training (the papers' study of how A_LM, Ap
// and G_LM evolve with learning rate and warm-up): per layer, the mean, standard deviation, minimum
// and maximum over every element of the batch and heads. Logged as flat metrics keys
// "<output>_<stat>_layer<l>" (e.g. "G_LM_mean_layer0"; io/metric_keys.h), which `pldr plot` draws
// per layer.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pldr/attention.h"

namespace pldr {

struct ValueSummary {
  double mean = 0, std = 0, min = 0, max = 0;  // std: population standard deviation
};

ValueSummary summarize(const Tensor& t);  // std::invalid_argument on an empty tensor

struct LayerDeductiveStats {
  // Absent (has_A_LM = false) for a predefined G: no metric learner, the forward pass reports zeros.
  bool has_A_LM = false;
  ValueSummary A_LM, Ap, G_LM;
};

std::vector<LayerDeductiveStats> deductive_stats(const std::vector<LayerDeductive>& layers, bool learned_G);

// Adds the statistics to a metrics line under the flat keys above.
void add_deductive_stats(nlohmann::json& line, const std::vector<LayerDeductiveStats>& stats);

}  // namespace pldr
