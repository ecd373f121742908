// The computing calls: pldr_eval (one forward pass, its logits), pldr_generate, and the deductive
// outputs of the last forward pass.
#include <algorithm>

#include "apps/c_api/model_handle.h"
#include "apps/c_api/status.h"
#include "autograd/grad_mode.h"
#include "pldr/generate.h"
#include "tensor/creation.h"
#include "tensor/threads.h"

namespace pldr::capi {
namespace {

// The C layer's view of the ids: non-empty, in the vocabulary, within the model's positions
// together with `new_tokens` more.
void check_sequence(const pldr_model& m, const int32_t* ids, size_t n_ids, int64_t new_tokens, const char* function) {
  require_pointer(ids, function, "ids");
  if (n_ids == 0) throw Error(PLDR_ERR_INVALID_ARGUMENT, std::string(function) + ": no token ids (n_ids is 0)");
  const PldrConfig& c = m.model->config();
  check_token_ids(ids, n_ids, c.vocab_size, function);
  if (static_cast<int64_t>(n_ids) + new_tokens > c.max_position_embeddings)
    throw Error(PLDR_ERR_INVALID_ARGUMENT,
                std::string(function) + ": " + std::to_string(n_ids) + " token ids" +
                    (new_tokens ? " plus " + std::to_string(new_tokens) + " new tokens" : std::string()) +
                    " exceed the model's " + std::to_string(c.max_position_embeddings) + " positions");
}

void check_capacity(size_t needed, size_t capacity, const char* function, const char* what) {
  if (capacity < needed)
    throw Error(PLDR_ERR_BUFFER_TOO_SMALL, std::string(function) + ": " + what + " needs " + std::to_string(needed) +
                                               " values, the buffer holds " + std::to_string(capacity));
}

// Keeps A, A_LM, Ap and G_LM of a pass; its scores and attention probabilities ([B, H, S, P+S],
// the largest tensors) are let go.
std::vector<LayerDeductive> deductive_of(const ForwardResult& r) {
  std::vector<LayerDeductive> kept;
  for (const LayerDeductive& d : r.layers) kept.push_back({d.A, d.A_LM, d.Ap, d.G_LM, {}, {}});
  return kept;
}

GenerationOptions generation_options(const pldr_generation_params& p) {
  if (p.max_new_tokens <= 0)
    throw Error(PLDR_ERR_INVALID_ARGUMENT,
                "pldr_generate: max_new_tokens must be positive, got " + std::to_string(p.max_new_tokens));
  if (p.nucleus != PLDR_NUCLEUS_REFERENCE && p.nucleus != PLDR_NUCLEUS_HUGGINGFACE)
    throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_generate: nucleus must be PLDR_NUCLEUS_REFERENCE or HUGGINGFACE");
  GenerationOptions o;
  o.max_new_tokens = p.max_new_tokens;
  o.sampling.greedy = p.greedy != 0;
  o.sampling.temperature = p.temperature;
  o.sampling.top_k = p.top_k;
  o.sampling.top_p = p.top_p;
  o.sampling.seed = p.seed;
  o.sampling.nucleus = p.nucleus == PLDR_NUCLEUS_HUGGINGFACE ? NucleusRule::HuggingFace : NucleusRule::Reference;
  try {
    o.sampling.validate();
  } catch (const std::invalid_argument& e) {
    throw Error(PLDR_ERR_INVALID_ARGUMENT, std::string("pldr_generate: ") + e.what());
  }
  o.cache = p.use_cache ? CacheMode::KVG : CacheMode::None;
  o.stop_at_eos = p.stop_at_end != 0;
  return o;
}

}  // namespace
}  // namespace pldr::capi

using pldr::capi::Error;

extern "C" {

pldr_status pldr_eval(pldr_model* model, const int32_t* ids, size_t n_ids, float* logits, size_t capacity) {
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    pldr_model& m = pldr::capi::checked(model, "pldr_eval");
    pldr::capi::check_sequence(m, ids, n_ids, 0, "pldr_eval");
    pldr::capi::require_pointer(logits, "pldr_eval", "logits");
    const int64_t V = m.model->config().vocab_size;
    pldr::capi::check_capacity(n_ids * V, capacity, "pldr_eval", "the logits [T, V]");
    if (m.threads > 0) pldr::set_num_threads(m.threads);
    pldr::ag::NoGradGuard no_grad;
    const pldr::Tensor input =
        pldr::from_vector(std::vector<int32_t>(ids, ids + n_ids), {1, static_cast<int64_t>(n_ids)}, pldr::DType::Int32,
                          m.model->device());
    const pldr::ForwardResult r = m.model->forward(input);
    const std::vector<float> values = r.logits.value().to_vector<float>();  // [1, T, V]
    std::copy(values.begin(), values.end(), logits);
    m.deductive = pldr::capi::deductive_of(r);
  });
}

pldr_generation_params pldr_generation_default_params(void) {
  const pldr::GenerationOptions library;  // the library's sampling, cache and [END] defaults
  pldr_generation_params p;
  p.max_new_tokens = 100;  // as `pldr generate`
  p.greedy = library.sampling.greedy;
  p.temperature = library.sampling.temperature;
  p.top_k = library.sampling.top_k;
  p.top_p = library.sampling.top_p;
  p.nucleus =
      library.sampling.nucleus == pldr::NucleusRule::HuggingFace ? PLDR_NUCLEUS_HUGGINGFACE : PLDR_NUCLEUS_REFERENCE;
  p.seed = library.sampling.seed;
  p.use_cache = library.cache == pldr::CacheMode::KVG;
  p.stop_at_end = library.stop_at_eos;
  p.on_token = nullptr;
  p.user_data = nullptr;
  return p;
}

pldr_status pldr_generate(pldr_model* model, const int32_t* prompt, size_t n_prompt,
                          const pldr_generation_params* params, int32_t* tokens, size_t capacity, size_t* n_tokens) {
  if (n_tokens) *n_tokens = 0;
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    pldr_model& m = pldr::capi::checked(model, "pldr_generate");
    const pldr_generation_params p = params ? *params : pldr_generation_default_params();
    pldr::GenerationOptions o = pldr::capi::generation_options(p);
    pldr::capi::check_sequence(m, prompt, n_prompt, o.max_new_tokens, "pldr_generate");
    pldr::capi::require_pointer(tokens, "pldr_generate", "tokens");
    pldr::capi::require_pointer(n_tokens, "pldr_generate", "n_tokens");
    pldr::capi::check_capacity(o.max_new_tokens, capacity, "pldr_generate", "max_new_tokens");
    size_t index = 0;
    if (p.on_token) o.on_token = [&](size_t, int32_t token) { return p.on_token(token, index++, p.user_data) == 0; };
    o.on_forward = [&m](const pldr::ForwardResult& r) { m.deductive = pldr::capi::deductive_of(r); };
    if (m.threads > 0) pldr::set_num_threads(m.threads);
    const pldr::GenerationResult r = pldr::generate(*m.model, std::vector<int32_t>(prompt, prompt + n_prompt), o);
    std::copy(r.tokens.begin(), r.tokens.end(), tokens);
    *n_tokens = r.tokens.size();
  });
}

pldr_status pldr_get_deductive(const pldr_model* model, pldr_deductive which, int32_t layer, float* values,
                               size_t capacity, size_t* count) {
  if (count) *count = 0;
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    const pldr_model& m = pldr::capi::checked(model, "pldr_get_deductive");
    pldr::capi::require_pointer(values, "pldr_get_deductive", "values");
    pldr::capi::require_pointer(count, "pldr_get_deductive", "count");
    if (which < PLDR_DEDUCTIVE_A || which > PLDR_DEDUCTIVE_G_LM)
      throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_get_deductive: which must be PLDR_DEDUCTIVE_A, _A_LM, _AP or _G_LM");
    const int64_t L = m.model->config().num_hidden_layers;
    if (layer < 0 || layer >= L)
      throw Error(PLDR_ERR_INVALID_ARGUMENT,
                  "pldr_get_deductive: layer " + std::to_string(layer) + " is outside [0, " + std::to_string(L) + ")");
    if (m.deductive.empty())
      throw Error(PLDR_ERR_NO_FORWARD_PASS,
                  "pldr_get_deductive: no forward pass yet (call pldr_eval or pldr_generate)");
    const pldr::LayerDeductive& d = m.deductive[layer];
    const pldr::ag::Variable* outputs[] = {&d.A, &d.A_LM, &d.Ap, &d.G_LM};
    const pldr::Tensor& t = outputs[which]->value();  // [1, H, dk, dk]
    pldr::capi::check_capacity(t.numel(), capacity, "pldr_get_deductive", "[H, dk, dk]");
    const std::vector<float> v = t.to_vector<float>();
    std::copy(v.begin(), v.end(), values);
    *count = v.size();
  });
}

}  // extern "C"
