#include "pldr/generate.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "autograd/grad_mode.h"
#include "pldr/repetition_penalty.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr {

namespace {

// The prompts left-padded to one length: ids [B, S] and, when lengths differ, the padding mask.
struct LeftPadded {
  Tensor ids;
  std::optional<Padding> padding;
};

LeftPadded left_pad(const std::vector<std::vector<int32_t>>& rows, int32_t pad_id, bool pads_enter_A, Device device) {
  const int64_t B = static_cast<int64_t>(rows.size());
  size_t S = 0;
  for (const auto& r : rows) S = std::max(S, r.size());
  std::vector<int32_t> ids(B * S, pad_id);
  Padding padding{std::vector<uint8_t>(B * S, 0), pads_enter_A};
  bool padded = false;
  for (int64_t b = 0; b < B; ++b) {
    const size_t pads = S - rows[b].size();
    std::copy(rows[b].begin(), rows[b].end(), ids.begin() + b * S + pads);
    std::fill_n(padding.is_token.begin() + b * S + pads, rows[b].size(), 1);
    padded = padded || pads > 0;
  }
  LeftPadded p{from_vector(ids, {B, static_cast<int64_t>(S)}, DType::Int32, device), std::nullopt};
  if (padded) p.padding = std::move(padding);
  return p;
}

}  // namespace

std::vector<GenerationResult> generate_batch(const PldrModel& model, const std::vector<std::vector<int32_t>>& prompts,
                                             const GenerationOptions& o) {
  if (prompts.empty()) throw std::invalid_argument("generate: no prompt");
  for (const auto& p : prompts)
    if (p.empty()) throw std::invalid_argument("generate: empty prompt (the reference uses [END] for an empty one)");
  o.sampling.validate();
  const SampleRule rule = o.sampling.rule();
  if (o.cache == CacheMode::None && !o.fixed_G.empty())
    throw std::invalid_argument("generate: a fixed G needs the KV/G cache");
  const auto start = std::chrono::steady_clock::now();
  ag::NoGradGuard no_grad;  // inference records no tape
  const size_t B = prompts.size();
  std::vector<Generator> generators(B, Generator(o.sampling.seed));
  std::vector<GenerationResult> results(B);
  std::vector<bool> done(B, false);
  const int32_t eos = static_cast<int32_t>(model.config().eos_token_id);
  const int32_t pad = static_cast<int32_t>(model.config().pad_token_id);

  InferenceCache cache =
      o.fixed_G.empty() ? InferenceCache(model.config().num_hidden_layers) : InferenceCache::with_fixed_G(o.fixed_G);
  for (LayerCache& layer : cache.layers) layer.keep_first_G = o.cache_first_G;
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  if (o.cache == CacheMode::KVG) cache.reserve(static_cast<int64_t>(longest) + std::max<int64_t>(o.max_new_tokens, 0));
  std::vector<std::vector<int32_t>> sequences = prompts;
  LeftPadded input = left_pad(prompts, pad, o.pads_enter_A, model.device());
  for (int64_t step = 0; step < o.max_new_tokens; ++step) {
    // With the cache, the padding mask is given once and kept by the cache; without it, every
    // step runs the whole left-padded sequences again.
    const Padding* padding = input.padding ? &*input.padding : nullptr;
    const ForwardResult r = o.cache == CacheMode::KVG ? model.forward(input.ids, &cache, padding)
                                                      : model.forward(input.ids, nullptr, padding);
    if (o.on_forward) o.on_forward(r);
    const Tensor& logits = r.logits.value();  // [B, S, V]
    const Tensor last = logits.select(1, logits.shape()[1] - 1);
    const int64_t V = last.shape()[1];
    if (o.keep_step_logits) {
      const std::vector<double> rows = last.to_vector<double>();
      for (size_t b = 0; b < B; ++b)
        if (!done[b]) results[b].step_logits.emplace_back(rows.begin() + b * V, rows.begin() + (b + 1) * V);
    }
    // The tokens are chosen on the logits' device; the host reads only the B ids (one read a step).
    Tensor uniforms;
    if (!o.sampling.greedy) {
      std::vector<double> u(B);
      for (size_t b = 0; b < B; ++b) u[b] = draw_uniform(generators[b]);
      uniforms = from_vector(u, {static_cast<int64_t>(B)}, DType::Float64, model.device());
    }
    // An optional step of its own: the penalty reads the logits on the host (one [B, V] read).
    const Tensor scored =
        o.repetition_penalty == 1 ? last : apply_repetition_penalty(last, sequences, o.repetition_penalty);
    const Tensor chosen = ops::sample_rows(scored, uniforms, rule);
    const std::vector<int32_t> next = chosen.to_vector<int32_t>();
    for (size_t b = 0; b < B; ++b) {
      if (next[b] < 0) throw std::runtime_error("sampling: the model produced NaN logits");
      sequences[b].push_back(next[b]);
      if (done[b]) continue;
      results[b].tokens.push_back(next[b]);
      const bool go_on = !o.on_token || o.on_token(b, next[b]);
      if (!go_on || (o.stop_at_eos && next[b] == eos)) done[b] = true;
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    if (o.cache == CacheMode::KVG) {
      input = {chosen.view({static_cast<int64_t>(B), 1}), std::nullopt};  // already on the device
    } else {
      input = left_pad(sequences, pad, o.pads_enter_A, model.device());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (GenerationResult& r : results) r.seconds = seconds;
  return results;
}

GenerationResult generate(const PldrModel& model, const std::vector<int32_t>& prompt,
                          const GenerationOptions& options) {
  return std::move(generate_batch(model, {prompt}, options).front());
}

}  // namespace pldr
