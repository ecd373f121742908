// Autoregressive generation (docs/pldr-llm.md §8) for one prompt or a batch of them, under a no-grad scope.
#pragma once
#include <functional>
#include <vector>

#include "pldr/model.h"
#include "pldr/sampling.h"

namespace pldr {

enum class CacheMode {
  KVG,  // KV-cache and G-cache: the prompt runs once, G is frozen from it, then one token per step
  None  // recompute the whole sequence every step (G over prompt + generated so far)
};

struct GenerationOptions {
  int64_t max_new_tokens = 64;
  SamplingOptions sampling;
  CacheMode cache = CacheMode::KVG;
  bool stop_at_eos = true;        // stop after emitting eos_token_id (included in the output)
  double repetition_penalty = 1;  // Hugging Face's rule (pldr/repetition_penalty.h); 1: off
  std::vector<Tensor> fixed_G;    // optional: G per layer [1, H, dk, dk], frozen for every step
  bool keep_step_logits = false;  // record each step's last-position logits
  // Batches: prompts of different lengths are left-padded. By default the pads are left out of A
  // (and hidden as keys), so each prompt generates exactly what it would alone; pads_enter_A
  // lets them into A as the Hugging Face code does with padded batches (docs/pldr-llm.md §10.3).
  bool pads_enter_A = false;
  bool cache_first_G = false;  // later steps use batch item 0's G for every item (docs/pldr-llm.md §4.2)
  // Called as each token is produced; returning false ends that prompt's generation after this
  // token, as [END] does (a caller streaming the tokens stops on request).
  std::function<bool(size_t prompt, int32_t token)> on_token;
  // Called after each forward pass with its result: the deductive outputs of the last pass are
  // the last call's result.layers (with the G-cache, a decode step's are the frozen ones).
  std::function<void(const ForwardResult& result)> on_forward;
};

struct GenerationResult {
  std::vector<int32_t> tokens;                   // generated tokens only
  std::vector<std::vector<double>> step_logits;  // [steps][V] when requested
  double seconds = 0;                            // wall time of the whole generation (the batch's)
};

GenerationResult generate(const PldrModel& model, const std::vector<int32_t>& prompt, const GenerationOptions& options);

// One result per prompt. Each prompt draws from its own generator seeded with sampling.seed, as it
// would alone. A prompt that emitted [END] (stop_at_eos) keeps running until the batch ends, its
// further tokens dropped.
std::vector<GenerationResult> generate_batch(const PldrModel& model, const std::vector<std::vector<int32_t>>& prompts,
                                             const GenerationOptions& options);

}  // namespace pldr
