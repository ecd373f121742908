// Log-likelihood of a continuation given a context, scored as the PLDR lm-eval fork does
// (docs/pldr-llm.md §9): one forward pass over context + continuation without its last token, so G comes from
// that whole input (A depends on every position, docs/pldr-llm.md §10.1). A shared context cannot be computed
// once; for speed, sequences are batched instead, right-padded with the pads left out of A and
// hidden as keys, so that a batch scores exactly like each sequence alone.
// With the KV+G cache instead (CacheMode::KVG, as generation runs, docs/pldr-llm.md §4.2): the context is
// prefilled, G computed from it and frozen, then the continuation's tokens are fed one at a time;
// the scores differ from the fork's unless G does not depend on the input (a predefined G).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "pldr/generate.h"
#include "pldr/model.h"

namespace pldr::eval {

struct Request {
  std::vector<int32_t> context;       // non-empty (an empty text context is [END], see encode_pair)
  std::vector<int32_t> continuation;  // non-empty
};

struct Score {
  double loglikelihood = 0;  // Σ over continuation tokens of log p(token | everything before it)
  bool is_greedy = true;     // every continuation token is the argmax
};

struct ScoringOptions {
  int64_t batch_size = 1;
  // Tokens of context + continuation kept (the fork's 1024): longer inputs lose context from the
  // left; the forward pass sees one token fewer. 0: default_max_length of the model.
  int64_t max_length = 0;
  // None: the fork's one pass. KVG: prefill the context, then one continuation token per step,
  // one request at a time (batch_size is not used).
  CacheMode cache = CacheMode::None;
  std::function<void(int64_t done, int64_t total)> progress;  // after each batch
};

// Scores of `requests`, in their order. Requests are run longest first (as the fork sorts them);
// the order changes nothing else.
std::vector<Score> score(const PldrModel& model, const std::vector<Request>& requests, const ScoringOptions& options);

// The largest max_length a model supports: its positions plus the one token never fed in, capped
// at the fork's 1024.
int64_t default_max_length(const PldrConfig& config);

}  // namespace pldr::eval
