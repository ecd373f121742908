#include "eval/rolling.h"

#include <cmath>
#include <stdexcept>

namespace pldr::eval {

double TextScore::token_perplexity() const { return std::exp(-loglikelihood / double(tokens)); }
double TextScore::byte_perplexity() const { return std::exp(-loglikelihood / double(bytes)); }
double TextScore::bits_per_byte() const { return -loglikelihood / (double(bytes) * std::log(2.0)); }

std::vector<Request> rolling_windows(const std::vector<int32_t>& tokens, int32_t prefix_token, int64_t window) {
  if (window < 1) throw std::invalid_argument("rolling windows: the window must hold at least one token");
  std::vector<Request> requests;
  const int64_t n = static_cast<int64_t>(tokens.size());
  for (int64_t begin = 0; begin < n; begin += window) {
    const int64_t end = std::min(n, begin + window);
    Request r;
    r.context = {begin == 0 ? prefix_token : tokens[begin - 1]};
    r.continuation.assign(tokens.begin() + begin, tokens.begin() + end);
    requests.push_back(std::move(r));
  }
  return requests;
}

TextScore score_text(const PldrModel& model, const data::Tokenizer& tokenizer, const std::string& text, int64_t window,
                     ScoringOptions options) {
  const std::vector<int32_t> tokens = tokenizer.encode_prompt(text);
  if (tokens.empty()) throw std::invalid_argument("the text has no tokens");
  options.max_length = window + 1;
  const std::vector<Request> requests = rolling_windows(tokens, tokenizer.eos_id(), window);
  TextScore s;
  for (const Score& sc : score(model, requests, options)) s.loglikelihood += sc.loglikelihood;
  s.tokens = static_cast<int64_t>(tokens.size());
  s.bytes = static_cast<int64_t>(text.size());
  s.windows = static_cast<int64_t>(requests.size());
  return s;
}

}  // namespace pldr::eval
