// Perplexity and bits per byte of a text in the fork's rolling windows (lm-eval's
// loglikelihood_rolling, docs/pldr-llm.md §9): the tokens are split into disjoint windows of `window` predicted
// tokens; the first is fed [END] + its tokens but the last, each later one the token just before
// it + its tokens but the last, so every token is predicted once, with at most `window` tokens of
// context, and G comes from each window's own input. The fork's window is 1023 (1024 tokens per
// request, one never fed in).
#pragma once
#include <string>

#include "data/tokenizer.h"
#include "eval/loglikelihood.h"

namespace pldr::eval {

struct TextScore {
  double loglikelihood = 0;  // Σ log p over every token (nats)
  int64_t tokens = 0, bytes = 0, windows = 0;
  double token_perplexity() const;  // exp(-ll / tokens)
  double byte_perplexity() const;   // exp(-ll / bytes)
  double bits_per_byte() const;     // -ll / (bytes ln 2)
};

// The requests of the rolling windows over `tokens` (each window's context is its first token).
std::vector<Request> rolling_windows(const std::vector<int32_t>& tokens, int32_t prefix_token, int64_t window);

// Scores `text` as one document. options.max_length is set to window + 1.
TextScore score_text(const PldrModel& model, const data::Tokenizer& tokenizer, const std::string& text, int64_t window,
                     ScoringOptions options);

}  // namespace pldr::eval
