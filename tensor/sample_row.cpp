#include "tensor/sample_row.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace pldr {

namespace {
constexpr double kRemoved = -1e10;

void apply_top_k(std::vector<double>& logits, int64_t k) {
  if (k <= 0 || k >= static_cast<int64_t>(logits.size())) return;
  std::vector<double> sorted = logits;
  std::nth_element(sorted.begin(), sorted.begin() + (k - 1), sorted.end(), std::greater<double>());
  const double kth = sorted[k - 1];
  for (double& l : logits)
    if (l < kth) l = kRemoved;
}

// Softmax of logits sorted in descending order, accumulated.
std::vector<double> cumulative_probabilities(const std::vector<double>& sorted_desc) {
  std::vector<double> c(sorted_desc.size());
  const double mx = sorted_desc[0];
  double total = 0;
  for (double l : sorted_desc) total += std::exp(l - mx);
  double run = 0;
  for (size_t i = 0; i < sorted_desc.size(); ++i) c[i] = (run += std::exp(sorted_desc[i] - mx) / total);
  return c;
}

void apply_top_p(std::vector<double>& logits, double p, bool keeps_crossing) {
  if (p >= 1.0) return;
  std::vector<double> sorted = logits;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const std::vector<double> c = cumulative_probabilities(sorted);
  size_t last;  // index in `sorted` of the smallest kept logit
  if (!keeps_crossing) {
    const int64_t count = std::count_if(c.begin(), c.end(), [p](double v) { return v <= p; });
    last = static_cast<size_t>(std::max<int64_t>(count - 1, 0));
  } else {
    last = static_cast<size_t>(std::lower_bound(c.begin(), c.end(), p) - c.begin());
    last = std::min(last, sorted.size() - 1);
  }
  const double threshold = sorted[last];
  for (double& l : logits)
    if (l < threshold) l = kRemoved;
}
}  // namespace

void filter_row(std::vector<double>& logits, const SampleRule& rule) {
  for (double& l : logits) l /= rule.temperature;
  if (!rule.nucleus_keeps_crossing) {
    apply_top_p(logits, rule.top_p, false);
    apply_top_k(logits, rule.top_k);
  } else {
    apply_top_k(logits, rule.top_k);
    apply_top_p(logits, rule.top_p, true);
  }
}

int32_t pick_row(std::vector<double> logits, const SampleRule& rule, double uniform) {
  for (double l : logits)
    if (std::isnan(l)) return -1;
  if (rule.greedy) return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  filter_row(logits, rule);
  const double mx = *std::max_element(logits.begin(), logits.end());
  std::vector<double> weights(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) weights[i] = std::exp(logits[i] - mx);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double u = uniform * total;
  double run = 0;
  for (size_t i = 0; i < weights.size(); ++i)
    if ((run += weights[i]) > u) return static_cast<int32_t>(i);
  return static_cast<int32_t>(std::max_element(weights.begin(), weights.end()) - weights.begin());
}

}  // namespace pldr
