/* The web page's module: the C API (pldr.h) plus one function that generates with each token
 * handed to JavaScript as it comes (Module.onToken(token, index), which returns true to stop).
 * JavaScript calls the pldr_* functions directly; this file only bridges the per-token callback,
 * which is a C function pointer. */
#include <emscripten.h>

#include <pldr/pldr.h>

EM_JS(int, pldr_web_on_token, (int32_t token, int32_t index), { return Module.onToken(token, index) ? 1 : 0; });

static int forward_token(int32_t token, size_t index, void* user_data) {
  (void)user_data;
  return pldr_web_on_token(token, (int32_t)index);
}

/* pldr_generate with the defaults but these options; the tokens go to `tokens` (capacity
 * max_new_tokens) and to Module.onToken one by one. greedy 0 draws with `seed`. */
EMSCRIPTEN_KEEPALIVE pldr_status pldr_web_generate(pldr_model* model, const int32_t* prompt, int32_t n_prompt,
                                                   int32_t max_new_tokens, int32_t greedy, int32_t seed,
                                                   int32_t* tokens, int32_t* n_tokens) {
  pldr_generation_params params = pldr_generation_default_params();
  size_t n = 0;
  pldr_status status;
  params.max_new_tokens = max_new_tokens;
  params.greedy = greedy;
  params.seed = (uint64_t)seed;
  params.on_token = forward_token;
  status = pldr_generate(model, prompt, (size_t)n_prompt, &params, tokens, (size_t)max_new_tokens, &n);
  *n_tokens = (int32_t)n;
  return status;
}
