// The library as a library: build a small PLDR-LLM, train it on a bundled text, generate, and print
// the deductive outputs of one layer. Characters are the tokens (ids 4.. ; 0-3 stay the special ids),
// so nothing but the model and the optimiser is needed. docs/pldr-llm.md explains each step.
//
//   train_tiny [STEPS [TEXT_FILE]]     300 steps of the bundled Tiny Shakespeare by default
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>

#include "autograd/grad_mode.h"
#include "optim/adamw.h"
#include "optim/clipping.h"
#include "optim/schedule.h"
#include "pldr/generate.h"
#include "pldr/losses.h"
#include "pldr/model.h"
#include "tensor/creation.h"
#include "tensor/random.h"

using namespace pldr;

namespace {
// Prints one head's matrix, its top-left corner of n x n: M [1, H, dk, dk] as read from the model.
void print_corner(const char* name, const Tensor& M, int64_t n) {
  const std::vector<float> v = M.slice(0, 0, 1).slice(1, 0, 1).contiguous().to_vector<float>();
  const int64_t dk = M.shape()[3];
  std::printf("  %s, head 0, top-left %lldx%lld:\n", name, (long long)n, (long long)n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) std::printf(" %10.4g", v[i * dk + j]);
    std::printf("\n");
  }
}
}  // namespace

int main(int argc, char** argv) try {
  int64_t steps = 300;
  const std::string_view steps_arg = argc > 1 ? argv[1] : "300";
  const char* const end = steps_arg.data() + steps_arg.size();
  if (std::from_chars(steps_arg.data(), end, steps).ptr != end || steps < 1)
    throw std::invalid_argument(std::string("STEPS must be a whole number of at least 1, got ") + argv[1]);
  const std::string path = argc > 2 ? argv[2] : PLDR_EXAMPLE_CORPUS;
  std::ifstream file(path);
  const std::string text{std::istreambuf_iterator<char>(file), {}};
  if (!file || text.size() < 1000) throw std::runtime_error("cannot read 1000 characters from " + path);

  // A character vocabulary: each distinct byte gets an id after the four special ids.
  std::map<char, int32_t> id_of;
  std::string char_of = "????";
  for (char c : text)
    if (id_of.emplace(c, int32_t(char_of.size())).second) char_of += c;

  // A small model: 2 layers, 4 heads of 16, a metric learner of 2 units of 2 GLUs (docs/pldr-llm.md §1).
  PldrConfig config;
  config.vocab_size = int64_t(char_of.size());
  config.hidden_size = 64, config.num_attention_heads = 4, config.head_dim = 16, config.num_hidden_layers = 2;
  config.intermediate_size = 170, config.A_dff = 32, config.num_reslayerA = 2, config.num_denseA = 2;
  config.max_position_embeddings = 128;
  PldrModel model(config);
  model.initialize(/*seed=*/1);  // the reference's initialisation (§7)

  // AdamW with warm-up + cosine and value clipping, as the papers train (§12).
  std::vector<ag::Variable> parameters = model.parameters();
  optim::AdamW optimizer(parameters, optim::AdamWOptions{});
  const optim::WarmupCosine schedule{3e-3, steps / 10, steps, 0.1};
  const int64_t batch = 8, context = 64;
  Generator draws(/*seed=*/2);
  for (int64_t step = 1; step <= steps; ++step) {
    // Random windows of context + 1 characters: input = window[:-1], target = window[1:].
    std::vector<int32_t> input, target;
    for (int64_t b = 0; b < batch; ++b) {
      const size_t start = draws.next_u64() % (text.size() - context - 1);
      for (int64_t t = 0; t < context; ++t) {
        input.push_back(id_of[text[start + t]]);
        target.push_back(id_of[text[start + t + 1]]);
      }
    }
    const ForwardResult out = model.forward(from_vector(input, {batch, context}));
    const LanguageModelLoss ce = masked_cross_entropy(out.logits, from_vector(target, {batch, context}));
    ce.loss.backward();
    optim::clip_grad_value(parameters, 1.0);
    optimizer.step(schedule.lr(step));
    optimizer.zero_grad();
    if (step == 1 || step % 25 == 0 || step == steps)
      std::printf("step %4lld  loss %.4f  accuracy %.3f\n", (long long)step, ce.loss.value().item(), ce.accuracy());
  }

  // Generation with the KV+G cache: G is computed once from the prompt and frozen (§4.2).
  const std::string prompt_text = "ROMEO:";
  std::vector<int32_t> prompt;
  for (char c : prompt_text) prompt.push_back(id_of.count(c) ? id_of[c] : 1);
  GenerationOptions options;
  options.max_new_tokens = 80;
  options.sampling.top_k = 5;
  options.sampling.seed = 3;
  options.stop_at_eos = false;
  std::string sample;
  for (int32_t id : generate(model, prompt, options).tokens) sample += char_of[id];
  std::printf("generated %zu characters after \"%s\":\n%s%s\n", sample.size(), prompt_text.c_str(), prompt_text.c_str(),
              sample.c_str());

  // The deductive outputs of layer 0 for the prompt (§4.5): plain values of the forward pass.
  ag::NoGradGuard no_grad;
  const ForwardResult r = model.forward(from_vector(prompt, {1, int64_t(prompt.size())}));
  const LayerDeductive& d = r.layers[0];
  std::printf("deductive outputs of layer 0 for \"%s\" (A, A_LM, Ap, G_LM: [1, H, dk, dk]):\n", prompt_text.c_str());
  print_corner("A (metric learner output)", d.A.value(), 4);
  print_corner("A_LM = iSwiGLU(W A + b) + 1e-9", d.A_LM.value(), 4);
  print_corner("Ap = A_LM ^ pw", d.Ap.value(), 4);
  print_corner("G_LM = a Ap + ba", d.G_LM.value(), 4);
  print_corner("pw (learned exponents)", model.decoder.dec_layers[0]->mha1.plgatt_layer->pwlst.value().unsqueeze(0), 4);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "train_tiny: " << e.what() << "\n";
  return 1;
}
