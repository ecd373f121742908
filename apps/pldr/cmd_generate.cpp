// pldr generate (--checkpoint CKPT | --hf DIR) (--prompt TEXT | --ids 2,15,7) [--max-new-tokens N]
//   [--temperature T] [--top-k K] [--top-p P] [--nucleus reference|hf] [--greedy] [--no-cache]
//   [--ignore-end] [--seed S] [--tokenizer MODEL] [--dtype float32|float64]
// With --ids the prompt is token ids and the output is the generated ids, comma-separated: no
// tokenizer is needed (a build without SentencePiece knows only this form).
#include <cstdio>
#include <iostream>
#include <sstream>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "pldr/generate.h"

namespace pldr::cli {

namespace {

GenerationOptions generation_options(const Flags& flags) {
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
  return o;
}

void check_fits(size_t prompt_tokens, const GenerationOptions& o, const PldrConfig& config) {
  if (static_cast<int64_t>(prompt_tokens) + o.max_new_tokens > config.max_position_embeddings)
    throw UsageError("prompt (" + std::to_string(prompt_tokens) + " tokens) plus --max-new-tokens exceeds the model's " +
                     std::to_string(config.max_position_embeddings) + " positions");
}

std::vector<int32_t> parse_ids(const std::string& text, int64_t vocab_size) {
  std::vector<int32_t> ids;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    long long id = -1;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || id < 0 || id >= vocab_size)
      throw UsageError("--ids: '" + item + "' is not a token id in [0, " + std::to_string(vocab_size) + ")");
    ids.push_back(static_cast<int32_t>(id));
  }
  if (ids.empty()) throw UsageError("--ids: no token ids");
  return ids;
}

void report_speed(const GenerationResult& r, const GenerationOptions& o) {
  std::fprintf(stderr, "%zu tokens in %.2f s (%.1f tokens/s, %s)\n", r.tokens.size(), r.seconds,
               r.seconds > 0 ? double(r.tokens.size()) / r.seconds : 0.0, o.cache == CacheMode::KVG ? "KV+G cache" : "no cache");
}

int generate_from_ids(const Flags& flags, GenerationOptions o) {
  const LoadedCheckpoint c = load_model(flags);
  const std::vector<int32_t> prompt = parse_ids(flags.require("ids"), c.config.model.vocab_size);
  check_fits(prompt.size(), o, c.config.model);
  const GenerationResult r = pldr::generate(*c.model, prompt, o);
  for (size_t i = 0; i < r.tokens.size(); ++i) std::cout << (i ? "," : "") << r.tokens[i];
  std::cout << std::endl;
  report_speed(r, o);
  return 0;
}

}  // namespace

int generate(const Args& args) {
  const Flags flags(args,
                    {"checkpoint", "hf", "dtype", "prompt", "ids", "tokenizer", "max-new-tokens", "temperature", "top-k", "top-p",
                     "nucleus", "seed"},
                    {"greedy", "no-cache", "ignore-end"});
  GenerationOptions o = generation_options(flags);
  if (flags.has("ids") == flags.has("prompt")) throw UsageError("give exactly one of --prompt TEXT or --ids 2,15,7");
  if (flags.has("ids")) return generate_from_ids(flags, o);
#if PLDR_APP_FULL
  LoadedModel m = load_model_and_tokenizer(flags);
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(flags.require("prompt"));
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};  // the reference's rule for an empty prompt
  check_fits(prompt.size(), o, m.checkpoint.config.model);
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
  report_speed(r, o);
  return 0;
#else
  throw UsageError("this build has no SentencePiece: give the prompt as token ids (--ids 2,15,7)");
#endif
}

}  // namespace pldr::cli
