#include "pldr/generate.h"

#include <chrono>
#include <stdexcept>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"

namespace pldr {

namespace {
std::vector<double> last_position_logits(const ForwardResult& r) {
  const Tensor& logits = r.logits.value();  // [1, S, V]
  return logits.select(1, logits.shape()[1] - 1).to_vector<double>();
}

Tensor as_ids(const std::vector<int32_t>& tokens) {
  return from_vector(tokens, {1, static_cast<int64_t>(tokens.size())});
}
}  // namespace

GenerationResult generate(const PldrModel& model, const std::vector<int32_t>& prompt, const GenerationOptions& o) {
  if (prompt.empty()) throw std::invalid_argument("generate: empty prompt (the reference uses [END] for an empty one)");
  o.sampling.validate();
  if (o.cache == CacheMode::None && !o.fixed_G.empty())
    throw std::invalid_argument("generate: a fixed G needs the KV/G cache");
  const auto start = std::chrono::steady_clock::now();
  ag::NoGradGuard no_grad;  // inference records no tape
  Generator generator(o.sampling.seed);
  GenerationResult result;
  const int64_t eos = model.config().eos_token_id;

  InferenceCache cache = o.fixed_G.empty() ? InferenceCache(model.config().num_hidden_layers) : InferenceCache::with_fixed_G(o.fixed_G);
  std::vector<int32_t> sequence = prompt;
  std::vector<int32_t> next_input = prompt;
  for (int64_t step = 0; step < o.max_new_tokens; ++step) {
    const ForwardResult r = o.cache == CacheMode::KVG ? model.forward(as_ids(next_input), &cache) : model.forward(as_ids(sequence));
    std::vector<double> logits = last_position_logits(r);
    if (o.keep_step_logits) result.step_logits.push_back(logits);
    const int32_t token = sample_token(std::move(logits), o.sampling, generator);
    result.tokens.push_back(token);
    sequence.push_back(token);
    next_input = {token};
    if (o.on_token) o.on_token(token);
    if (o.stop_at_eos && token == eos) break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace pldr
