// Choosing the next token from last-position logits (docs/pldr-llm.md §8): temperature, top-k and top-p
// with the reference's nucleus rule or Hugging Face's, then a seeded categorical draw.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/op_types.h"
#include "tensor/random.h"

namespace pldr {

enum class NucleusRule {
  Reference,   // keep tokens whose inclusive cumulative probability is <= p (at least one)
  HuggingFace  // keep the smallest set whose probability reaches p (the crossing token included)
};

struct SamplingOptions {
  bool greedy = false;       // argmax, no draw
  double temperature = 1.0;  // divides the logits (> 0)
  int64_t top_k = 0;         // 0 = off
  double top_p = 1.0;        // 1 = off
  NucleusRule nucleus = NucleusRule::Reference;
  uint64_t seed = 0;

  void validate() const;    // throws naming the bad option
  SampleRule rule() const;  // what ops::sample_rows runs (tensor/sample_row.h)
};

// Filters `logits` in place: removed entries become -1e10 (the reference's fill value). Order:
// the reference applies temperature, top-p, top-k; Hugging Face temperature, top-k, top-p.
void filter_logits(std::vector<double>& logits, const SamplingOptions& options);

// One uniform in (0, 1) from one raw draw: the number each sampled token consumes per row.
double draw_uniform(Generator& generator);

// One token from logits on the host (greedy, or filtered and drawn with `generator`): the rule
// generate() runs on the device through ops::sample_rows, with the same draws.
int32_t sample_token(std::vector<double> logits, const SamplingOptions& options, Generator& generator);

}  // namespace pldr
