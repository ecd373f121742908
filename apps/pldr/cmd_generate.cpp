// pldr generate --checkpoint CKPT --prompt TEXT [--max-new-tokens N] [--temperature T] [--top-k K]
//   [--top-p P] [--nucleus reference|hf] [--greedy] [--no-cache] [--ignore-end] [--seed S] [--tokenizer MODEL]
#include <cstdio>
#include <iostream>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "pldr/generate.h"

namespace pldr::cli {

int generate(const Args& args) {
  const Flags flags(args, {"checkpoint", "prompt", "tokenizer", "max-new-tokens", "temperature", "top-k", "top-p", "nucleus", "seed"},
                    {"greedy", "no-cache", "ignore-end"});
  LoadedModel m = load_model_and_tokenizer(flags);
  GenerationOptions o;
  o.max_new_tokens = flags.get_int("max-new-tokens", 100);
  if (o.max_new_tokens <= 0) throw UsageError("--max-new-tokens must be positive");
  o.sampling.greedy = flags.on("greedy");
  o.sampling.temperature = flags.get_double("temperature", 1.0);
  o.sampling.top_k = flags.get_int("top-k", 0);
  o.sampling.top_p = flags.get_double("top-p", 1.0);
  o.sampling.seed = static_cast<uint64_t>(flags.get_int("seed", 0));
  const std::string nucleus = flags.get("nucleus", "reference");
  if (nucleus != "reference" && nucleus != "hf") throw UsageError("--nucleus must be reference or hf");
  o.sampling.nucleus = nucleus == "hf" ? NucleusRule::HuggingFace : NucleusRule::Reference;
  o.sampling.validate();
  o.cache = flags.on("no-cache") ? CacheMode::None : CacheMode::KVG;
  o.stop_at_eos = !flags.on("ignore-end");  // [END] then separates documents in the output

  const std::string text = flags.require("prompt");
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(text);
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};  // the reference's rule for an empty prompt
  const int64_t context = m.checkpoint.config.model.max_position_embeddings;
  if (static_cast<int64_t>(prompt.size()) + o.max_new_tokens > context)
    throw UsageError("prompt (" + std::to_string(prompt.size()) + " tokens) plus --max-new-tokens exceeds the model's " +
                     std::to_string(context) + " positions");
  // Stream the text as it grows: decode the current document (prompt included, so that the
  // spaces SentencePiece attaches to pieces come out right) and print what is new. [END] starts
  // a new paragraph.
  std::vector<int32_t> document = prompt;
  std::string shown = m.tokenizer.decode(document);
  std::cout << shown << std::flush;
  o.on_token = [&](int32_t token) {
    if (token == m.tokenizer.eos_id()) {
      std::cout << "\n\n" << std::flush;
      document.clear();
      shown.clear();
      return;
    }
    document.push_back(token);
    const std::string now = m.tokenizer.decode(document);
    if (now.size() > shown.size() && now.compare(0, shown.size(), shown) == 0) std::cout << now.substr(shown.size()) << std::flush;
    shown = now;
  };
  const GenerationResult r = pldr::generate(*m.checkpoint.model, prompt, o);
  std::cout << std::endl;
  std::fprintf(stderr, "%zu tokens in %.2f s (%.1f tokens/s, %s)\n", r.tokens.size(), r.seconds,
               r.seconds > 0 ? double(r.tokens.size()) / r.seconds : 0.0, o.cache == CacheMode::KVG ? "KV+G cache" : "no cache");
  return 0;
}

}  // namespace pldr::cli
