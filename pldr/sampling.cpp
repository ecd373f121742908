#include "pldr/sampling.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

namespace pldr {

namespace {
constexpr double kRemoved = -1e10;

void apply_top_k(std::vector<double>& logits, int64_t k) {
  if (k <= 0 || k >= static_cast<int64_t>(logits.size())) return;
  std::vector<double> sorted = logits;
  std::nth_element(sorted.begin(), sorted.begin() + (k - 1), sorted.end(), std::greater<double>());
  const double kth = sorted[k - 1];
  for (double& l : logits)
    if (l < kth) l = kRemoved;  // keep logits >= the k-th largest (ties kept, as the reference)
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

void apply_top_p(std::vector<double>& logits, double p, NucleusRule rule) {
  if (p >= 1.0) return;
  std::vector<double> sorted = logits;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const std::vector<double> c = cumulative_probabilities(sorted);
  size_t last;  // index in `sorted` of the smallest kept logit
  if (rule == NucleusRule::Reference) {
    // n = max(count(c <= p) - 1, 0): the token that crosses p is excluded (spec §8.1).
    const int64_t count = std::count_if(c.begin(), c.end(), [p](double v) { return v <= p; });
    last = static_cast<size_t>(std::max<int64_t>(count - 1, 0));
  } else {
    // Hugging Face: the smallest prefix whose mass reaches p, the crossing token included.
    last = static_cast<size_t>(std::lower_bound(c.begin(), c.end(), p) - c.begin());
    last = std::min(last, sorted.size() - 1);
  }
  const double threshold = sorted[last];
  for (double& l : logits)
    if (l < threshold) l = kRemoved;
}
}  // namespace

void SamplingOptions::validate() const {
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw std::invalid_argument("sampling: temperature must be > 0, got " + std::to_string(temperature));
  if (top_k < 0) throw std::invalid_argument("sampling: top_k must be >= 0, got " + std::to_string(top_k));
  if (!(top_p > 0 && top_p <= 1))
    throw std::invalid_argument("sampling: top_p must be in (0, 1], got " + std::to_string(top_p));
}

void filter_logits(std::vector<double>& logits, const SamplingOptions& o) {
  if (logits.empty()) throw std::invalid_argument("sampling: empty logits");
  for (double& l : logits) l /= o.temperature;
  if (o.nucleus == NucleusRule::Reference) {
    apply_top_p(logits, o.top_p, o.nucleus);
    apply_top_k(logits, o.top_k);
  } else {
    apply_top_k(logits, o.top_k);
    apply_top_p(logits, o.top_p, o.nucleus);
  }
}

int32_t sample_token(std::vector<double> logits, const SamplingOptions& o, Generator& generator) {
  for (double l : logits)
    if (std::isnan(l)) throw std::runtime_error("sampling: the model produced NaN logits");
  if (o.greedy) return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  filter_logits(logits, o);
  const double mx = *std::max_element(logits.begin(), logits.end());
  std::vector<double> weights(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) weights[i] = std::exp(logits[i] - mx);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const uint64_t draw = generator.next_u64();
  const double u = (double(draw >> 11) + 0.5) / 9007199254740992.0 * total;  // uniform in (0, total)
  double run = 0;
  for (size_t i = 0; i < weights.size(); ++i)
    if ((run += weights[i]) > u) return static_cast<int32_t>(i);
  return static_cast<int32_t>(std::max_element(weights.begin(), weights.end()) - weights.begin());
}

}  // namespace pldr
