#include "pldr/repetition_penalty.h"

#include <stdexcept>

#include "tensor/creation.h"

namespace pldr {

Tensor apply_repetition_penalty(const Tensor& logits, const std::vector<std::vector<int32_t>>& sequences,
                                double penalty) {
  if (!(penalty > 0)) throw std::invalid_argument("repetition penalty must be > 0");
  const int64_t B = logits.shape()[0], V = logits.shape()[1];
  if (static_cast<int64_t>(sequences.size()) != B)
    throw std::invalid_argument("repetition penalty: " + std::to_string(sequences.size()) + " sequences for " +
                                std::to_string(B) + " rows of logits");
  std::vector<double> rows = logits.contiguous().to_vector<double>();
  for (int64_t b = 0; b < B; ++b) {
    std::vector<bool> seen(static_cast<size_t>(V), false);  // each token once, however often it occurs
    for (const int32_t token : sequences[b]) {
      if (token < 0 || token >= V || seen[token]) continue;
      seen[token] = true;
      double& logit = rows[b * V + token];
      logit = logit < 0 ? logit * penalty : logit / penalty;
    }
  }
  return from_vector(rows, {B, V}, logits.dtype(), logits.device());
}

}  // namespace pldr
