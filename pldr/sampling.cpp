#include "pldr/sampling.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "tensor/sample_row.h"

namespace pldr {

void SamplingOptions::validate() const {
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw std::invalid_argument("sampling: temperature must be > 0, got " + std::to_string(temperature));
  if (top_k < 0) throw std::invalid_argument("sampling: top_k must be >= 0, got " + std::to_string(top_k));
  if (!(top_p > 0 && top_p <= 1))
    throw std::invalid_argument("sampling: top_p must be in (0, 1], got " + std::to_string(top_p));
}

SampleRule SamplingOptions::rule() const {
  return SampleRule{greedy, temperature, top_k, top_p, nucleus == NucleusRule::HuggingFace};
}

void filter_logits(std::vector<double>& logits, const SamplingOptions& o) {
  if (logits.empty()) throw std::invalid_argument("sampling: empty logits");
  filter_row(logits, o.rule());
}

double draw_uniform(Generator& generator) {
  return (double(generator.next_u64() >> 11) + 0.5) / 9007199254740992.0;  // 53 bits, never 0 or 1
}

int32_t sample_token(std::vector<double> logits, const SamplingOptions& o, Generator& generator) {
  if (logits.empty()) throw std::invalid_argument("sampling: empty logits");
  for (double l : logits)
    if (std::isnan(l)) throw std::runtime_error("sampling: the model produced NaN logits");
  return pick_row(std::move(logits), o.rule(), o.greedy ? 0.0 : draw_uniform(generator));
}

}  // namespace pldr
