// pldr generate (--checkpoint CKPT | --hf DIR) (--prompt TEXT | --prompts FILE [--batch-size B]
//   [--pads exclude|hf] [--cache-first-G] | --ids 2,15,7) [--max-new-tokens N] [--temperature T]
//   [--top-k K] [--top-p P] [--nucleus reference|hf] [--greedy] [--no-cache] [--ignore-end] [--seed S]
//   [--tokenizer MODEL] [--dtype float32|float64] [--device cpu|cuda]
// With --ids the prompt is token ids and the output is the generated ids, comma-separated: no
// tokenizer is needed (a build without SentencePiece knows only this form).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

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
  const std::string pads = flags.get("pads", "exclude");
  if (pads != "exclude" && pads != "hf") throw UsageError("--pads must be exclude or hf");
  o.pads_enter_A = pads == "hf";
  o.cache_first_G = flags.on("cache-first-G");
  return o;
}

void check_fits(size_t prompt_tokens, int64_t max_new_tokens, const PldrConfig& config) {
  if (static_cast<int64_t>(prompt_tokens) + max_new_tokens > config.max_position_embeddings)
    throw UsageError("prompt (" + std::to_string(prompt_tokens) +
                     " tokens) plus --max-new-tokens exceeds the model's " +
                     std::to_string(config.max_position_embeddings) + " positions");
}

void report_speed(size_t tokens, double seconds, const GenerationOptions& o, const std::string& what) {
  std::fprintf(stderr, "%zu tokens in %.2f s (%.1f tokens/s, %s%s)\n", tokens, seconds,
               seconds > 0 ? double(tokens) / seconds : 0.0, o.cache == CacheMode::KVG ? "KV+G cache" : "no cache",
               what.c_str());
}

int generate_from_ids(const Flags& flags, GenerationOptions o) {
  const LoadedCheckpoint c = load_model(flags);
  const std::vector<int32_t> prompt = parse_token_ids(flags.require("ids"), c.config.model.vocab_size, "--ids");
  check_fits(prompt.size(), o.max_new_tokens, c.config.model);
  const GenerationResult r = pldr::generate(*c.model, prompt, o);
  for (size_t i = 0; i < r.tokens.size(); ++i) std::cout << (i ? "," : "") << r.tokens[i];
  std::cout << std::endl;
  report_speed(r.tokens.size(), r.seconds, o, "");
  return 0;
}

#if PLDR_APP_FULL
std::vector<int32_t> encode(const LoadedModel& m, const std::string& text, int64_t max_new_tokens) {
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(text);
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};  // the reference's rule for an empty prompt
  check_fits(prompt.size(), max_new_tokens, m.checkpoint.config.model);
  return prompt;
}

// One prompt per line, or JSON lines with a "prompt" field (a file whose first line is a JSON object).
std::vector<std::string> read_prompts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open prompts file " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) throw std::runtime_error("prompts file " + path + " has no prompt");
  if (lines[0].front() != '{') return lines;
  std::vector<std::string> prompts;
  for (size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json row = nlohmann::json::parse(lines[i], nullptr, false);
    if (!row.is_object() || !row.contains("prompt") || !row["prompt"].is_string())
      throw std::runtime_error("prompts file " + path + " line " + std::to_string(i + 1) +
                               ": not a JSON object with a string \"prompt\"");
    prompts.push_back(row["prompt"].get<std::string>());
  }
  return prompts;
}

// --prompts: batches of prompts, one JSON line per prompt on stdout with its completion.
int generate_for_prompts(const LoadedModel& m, const Flags& flags, GenerationOptions o) {
  const std::vector<std::string> texts = read_prompts(flags.require("prompts"));
  const int64_t batch_size = flags.get_int("batch-size", 8);
  if (batch_size < 1) throw UsageError("--batch-size must be at least 1");
  size_t tokens = 0;
  double seconds = 0;
  for (size_t begin = 0; begin < texts.size(); begin += batch_size) {
    const size_t end = std::min(texts.size(), begin + static_cast<size_t>(batch_size));
    std::vector<std::vector<int32_t>> prompts;
    for (size_t i = begin; i < end; ++i) prompts.push_back(encode(m, texts[i], o.max_new_tokens));
    const std::vector<GenerationResult> results = generate_batch(*m.checkpoint.model, prompts, o);
    for (size_t i = begin; i < end; ++i) {
      const GenerationResult& r = results[i - begin];
      tokens += r.tokens.size();
      nlohmann::json line{{"index", i},
                          {"prompt", texts[i]},
                          {"completion", m.tokenizer.decode(r.tokens)},
                          {"tokens", r.tokens.size()}};
      std::cout << line.dump() << "\n" << std::flush;
    }
    seconds += results.front().seconds;
    std::fprintf(stderr, "generated for %zu of %zu prompts\n", end, texts.size());
  }
  report_speed(tokens, seconds, o,
               ", batches of " + std::to_string(batch_size) + (o.pads_enter_A ? ", pads in A" : ""));
  return 0;
}
#endif

}  // namespace

int cmd_generate(const Args& args) {
  const Flags flags(args,
                    {"checkpoint", "hf", "dtype", "prompt", "prompts", "ids", "batch-size", "pads", "tokenizer",
                     "max-new-tokens", "temperature", "top-k", "top-p", "nucleus", "seed", "device", "G"},
                    {"greedy", "no-cache", "ignore-end", "cache-first-G"});
  GenerationOptions o = generation_options(flags);
  if (flags.has("ids") + flags.has("prompt") + flags.has("prompts") != 1)
    throw UsageError("give exactly one of --prompt TEXT, --prompts FILE or --ids 2,15,7");
  if (flags.has("ids")) return generate_from_ids(flags, o);
#if PLDR_APP_FULL
  LoadedModel m = load_model_and_tokenizer(flags);
  if (flags.has("prompts")) return generate_for_prompts(m, flags, o);
  const std::vector<int32_t> prompt = encode(m, flags.require("prompt"), o.max_new_tokens);
  // Stream the text as it grows: decode the current document (prompt included, so that the
  // spaces SentencePiece attaches to pieces come out right) and print what is new. [END] starts
  // a new paragraph.
  std::vector<int32_t> document = prompt;
  std::string shown = m.tokenizer.decode(document);
  std::cout << shown << std::flush;
  o.on_token = [&](size_t, int32_t token) {
    if (token == m.tokenizer.eos_id()) {
      std::cout << "\n\n" << std::flush;
      document.clear();
      shown.clear();
      return true;
    }
    document.push_back(token);
    const std::string now = m.tokenizer.decode(document);
    if (now.size() > shown.size() && now.compare(0, shown.size(), shown) == 0)
      std::cout << now.substr(shown.size()) << std::flush;
    shown = now;
    return true;
  };
  const GenerationResult r = pldr::generate(*m.checkpoint.model, prompt, o);
  std::cout << std::endl;
  report_speed(r.tokens.size(), r.seconds, o, "");
  return 0;
#else
  throw UsageError("this build has no SentencePiece: give the prompt as token ids (--ids 2,15,7)");
#endif
}

}  // namespace pldr::cli
