// Autoregressive generation (spec §8) for one sequence, under a no-grad scope.
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
  bool stop_at_eos = true;          // stop after emitting eos_token_id (included in the output)
  std::vector<Tensor> fixed_G;      // optional: G per layer [1, H, dk, dk], frozen for every step
  bool keep_step_logits = false;    // record each step's last-position logits
  std::function<void(int32_t)> on_token;  // called as each token is produced (streaming output)
};

struct GenerationResult {
  std::vector<int32_t> tokens;                    // generated tokens only
  std::vector<std::vector<double>> step_logits;   // [steps][V] when requested
  double seconds = 0;                             // wall time of the whole generation
};

GenerationResult generate(const PldrModel& model, const std::vector<int32_t>& prompt, const GenerationOptions& options);

}  // namespace pldr
