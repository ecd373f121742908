// pldr generate: see generate_spec. With --ids the prompt is token ids and the output is the
// generated ids, comma-separated: no tokenizer is needed. A build without HDF5 and SentencePiece
// knows --hf only, and reads the tokenizer with its own reader of SentencePiece models (data/spm/). Without --prompt,
// --prompts or --ids, prompts are read from stdin, one a line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "pldr/generate.h"

namespace pldr::cli {

const CommandSpec& generate_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{
        .name = "generate",
        .synopsis = "(--checkpoint CKPT | --hf DIR) [--prompt TEXT | --prompts FILE | --ids 2,15,7] [flags]",
        .summary = "sample text from a model (prompts from stdin, one a line, when none is given)",
        .flags = model_flags(true),
        .positionals = "",
        .min_positionals = 0,
        .max_positionals = 0,
        .overrides_as_flags = false,
        .notes =
            "Sampling follows Hugging Face's conventions: --temperature 0 is greedy, --top-k 0 and --top-p 1 "
            "are off.\nThe reason generation stopped is printed on stderr: [END], --max-new-tokens or a --stop "
            "string."};
    const std::vector<FlagSpec> own{
        {"prompt", "TEXT", "", "the prompt (quote it: one argument)", {}},
        {"prompts", "FILE", "", "one prompt per line, or JSON lines with \"prompt\"; - reads stdin; batched", {}},
        {"ids", "2,15,7", "", "the prompt as token ids; prints the generated ids", {}},
        {"max-new-tokens", "N", "100", "tokens to generate at most", {"--max_new_tokens"}},
        {"temperature", "T", "1", "divides the logits; 0 is greedy", {}},
        {"top-k", "K", "0 (off)", "keep the K most likely tokens", {"--top_k"}},
        {"top-p", "P", "1 (off)", "keep the smallest set of tokens with probability >= P", {"--top_p"}},
        {"nucleus", "reference|hf", "reference", "the top-p rule: the reference code's or Hugging Face's", {}},
        {"greedy", "", "", "the most likely token every step (as --temperature 0)", {}},
        {"seed", "S", "a fresh one, printed", "the sampling seed; the same seed repeats a run", {}},
        {"num-samples", "N", "1", "samples per prompt (seeds S, S+1, ...)", {"--num_return_sequences"}},
        {"stop", "TEXT", "", "stop when the text contains TEXT (cut there); repeat for several", {}},
        {"repetition-penalty",
         "R",
         "1 (off)",
         "divide the logits of tokens already present by R (multiply when negative), as Hugging Face does",
         {"--repetition_penalty"}},
        {"ignore-end", "", "", "go on past [END] (a new paragraph) until --max-new-tokens", {}},
        {"no-cache", "", "", "recompute the whole sequence every step (G over all of it)", {}},
        {"batch-size", "B", "8", "prompts per batch with --prompts", {}},
        {"pads", "exclude|hf", "exclude", "--prompts: pads left out of A, or in A as Hugging Face does", {}},
        {"cache-first-G", "", "", "--prompts: every prompt uses prompt 0's G (spec 4.2)", {}},
        {"G", "FILE", "", "run on the fixed G of FILE (G_LM/layer{i}, as pldr inspect writes it)", {}},
        weights_flag(),
        threads_flag()};
    s.flags.insert(s.flags.end(), own.begin(), own.end());
    return s;
  }();
  return spec;
}

namespace {

GenerationOptions generation_options(const Flags& flags) {
  GenerationOptions o;
  o.max_new_tokens = flags.get_int("max-new-tokens", 100);
  if (o.max_new_tokens <= 0) throw UsageError("--max-new-tokens must be positive");
  o.sampling.temperature = flags.get_double("temperature", 1.0);
  if (o.sampling.temperature < 0) throw UsageError("--temperature must be >= 0 (0 is greedy)");
  o.sampling.greedy = flags.on("greedy") || o.sampling.temperature == 0;
  if (o.sampling.greedy) o.sampling.temperature = 1.0;  // unused by a greedy choice
  o.sampling.top_k = flags.get_int("top-k", 0);
  if (o.sampling.top_k < 0) throw UsageError("--top-k must be >= 0 (0 is off)");
  o.sampling.top_p = flags.get_double("top-p", 1.0);
  if (!(o.sampling.top_p > 0 && o.sampling.top_p <= 1)) throw UsageError("--top-p must be in (0, 1] (1 is off)");
  if (flags.has("seed")) {
    const int64_t seed = flags.get_int("seed", 0);
    if (seed < 0) throw UsageError("--seed must not be negative");
    o.sampling.seed = static_cast<uint64_t>(seed);
  } else {
    o.sampling.seed = std::random_device{}() & 0x7fffffffu;  // printed, so the run can be repeated
  }
  const std::string nucleus = flags.get("nucleus", "reference");
  if (nucleus != "reference" && nucleus != "hf") throw UsageError("--nucleus must be reference or hf");
  o.sampling.nucleus = nucleus == "hf" ? NucleusRule::HuggingFace : NucleusRule::Reference;
  o.sampling.validate();
  o.cache = flags.on("no-cache") ? CacheMode::None : CacheMode::KVG;
  o.repetition_penalty = flags.get_double("repetition-penalty", 1.0);
  if (!(o.repetition_penalty > 0)) throw UsageError("--repetition-penalty must be > 0 (1 is off)");
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

// Why a sample ended, as the user reads it.
std::string stop_reason(const std::vector<int32_t>& tokens, const GenerationOptions& o, int32_t eos_id) {
  if (o.stop_at_eos && !tokens.empty() && tokens.back() == eos_id) return "[END]";
  return "--max-new-tokens " + std::to_string(o.max_new_tokens);
}

// The seed of sample `i` of --num-samples: S, S+1, ...
GenerationOptions for_sample(GenerationOptions o, int64_t i) {
  o.sampling.seed += static_cast<uint64_t>(i);
  return o;
}

int64_t num_samples(const Flags& flags) {
  const int64_t n = flags.get_int("num-samples", 1);
  if (n < 1) throw UsageError("--num-samples must be at least 1");
  return n;
}

void print_seed(const GenerationOptions& o) {
  if (!o.sampling.greedy)
    std::fprintf(stderr, "seed %llu (--seed %llu repeats this run)\n", (unsigned long long)o.sampling.seed,
                 (unsigned long long)o.sampling.seed);
}

int generate_from_ids(const Flags& flags, const GenerationOptions& o) {
  if (flags.has("stop")) throw UsageError("--stop needs text: it does not apply to --ids");
  const LoadedCheckpoint c = load_model(flags);
  const std::vector<int32_t> prompt = parse_token_ids(flags.require("ids"), c.config.model.vocab_size, "--ids");
  check_fits(prompt.size(), o.max_new_tokens, c.config.model);
  print_seed(o);
  for (int64_t i = 0, n = num_samples(flags); i < n; ++i) {
    const GenerationResult r = pldr::generate(*c.model, prompt, for_sample(o, i));
    for (size_t t = 0; t < r.tokens.size(); ++t) std::cout << (t ? "," : "") << r.tokens[t];
    std::cout << std::endl;
    report_speed(r.tokens.size(), r.seconds, o,
                 "; stopped at " + stop_reason(r.tokens, o, static_cast<int32_t>(c.config.model.eos_token_id)));
  }
  return 0;
}

std::vector<int32_t> encode(const LoadedModel& m, const std::string& text, int64_t max_new_tokens) {
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(text);
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};  // the reference's rule for an empty prompt
  check_fits(prompt.size(), max_new_tokens, m.checkpoint.config.model);
  return prompt;
}

// One prompt per line, or JSON lines with a "prompt" field (a file whose first line is a JSON
// object); "-" is stdin.
std::vector<std::string> read_prompts(const std::string& path) {
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) throw std::runtime_error("cannot open prompts file " + path);
  }
  std::istream& in = path == "-" ? std::cin : file;
  const std::string name = path == "-" ? "stdin" : "prompts file " + path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) throw std::runtime_error(name + " has no prompt");
  if (lines[0].front() != '{') return lines;
  std::vector<std::string> prompts;
  for (size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json row = nlohmann::json::parse(lines[i], nullptr, false);
    if (!row.is_object() || !row.contains("prompt") || !row["prompt"].is_string())
      throw std::runtime_error(name + " line " + std::to_string(i + 1) +
                               ": not a JSON object with a string \"prompt\"");
    prompts.push_back(row["prompt"].get<std::string>());
  }
  return prompts;
}

// `text` cut before the first --stop string it contains; `stop` gets that string.
std::string cut_at_stop(const std::string& text, const std::vector<std::string>& stops, std::string& stop) {
  size_t cut = std::string::npos;
  for (const std::string& s : stops)
    if (const size_t at = text.find(s); at < cut) cut = at, stop = s;
  return cut == std::string::npos ? text : text.substr(0, cut);
}

// --prompts: batches of prompts, one JSON line per prompt (and sample) on stdout with its completion.
int generate_for_prompts(const LoadedModel& m, const Flags& flags, const GenerationOptions& o) {
  const std::vector<std::string> texts = read_prompts(flags.require("prompts"));
  const int64_t batch_size = flags.get_int("batch-size", 8), samples = num_samples(flags);
  if (batch_size < 1) throw UsageError("--batch-size must be at least 1");
  const std::vector<std::string> stops = flags.all("stop");
  size_t tokens = 0;
  double seconds = 0;
  print_seed(o);
  for (int64_t sample = 0; sample < samples; ++sample) {
    const GenerationOptions os = for_sample(o, sample);
    for (size_t begin = 0; begin < texts.size(); begin += batch_size) {
      const size_t end = std::min(texts.size(), begin + static_cast<size_t>(batch_size));
      std::vector<std::vector<int32_t>> prompts;
      for (size_t i = begin; i < end; ++i) prompts.push_back(encode(m, texts[i], os.max_new_tokens));
      const std::vector<GenerationResult> results = generate_batch(*m.checkpoint.model, prompts, os);
      for (size_t i = begin; i < end; ++i) {
        const GenerationResult& r = results[i - begin];
        tokens += r.tokens.size();
        std::string stop;
        const std::string completion = cut_at_stop(m.tokenizer.decode(r.tokens), stops, stop);
        nlohmann::json line{{"index", i},
                            {"prompt", texts[i]},
                            {"completion", completion},
                            {"tokens", r.tokens.size()},
                            {"stopped_at", stop.empty() ? stop_reason(r.tokens, os, m.tokenizer.eos_id()) : stop}};
        if (samples > 1) line["sample"] = sample, line["seed"] = os.sampling.seed;
        std::cout << line.dump() << "\n" << std::flush;
      }
      seconds += results.front().seconds;
      std::fprintf(stderr, "generated for %zu of %zu prompts\n", end, texts.size());
    }
  }
  report_speed(tokens, seconds, o,
               ", batches of " + std::to_string(batch_size) + (o.pads_enter_A ? ", pads in A" : ""));
  return 0;
}

// Streams one sample of `prompt` to stdout as it grows: decodes the current document (prompt
// included, so that the spaces SentencePiece attaches to pieces come out right) and prints what is
// new. [END] starts a new paragraph. Text that could begin a --stop string is held back until it
// cannot. Reports speed and why it stopped on stderr.
void stream_sample(const LoadedModel& m, const std::vector<int32_t>& prompt, GenerationOptions o,
                   const std::vector<std::string>& stops) {
  size_t hold = 0;
  for (const std::string& s : stops) hold = std::max(hold, s.size() - 1);
  std::vector<int32_t> document = prompt;
  std::string shown = m.tokenizer.decode(document), generated;
  size_t printed = 0;
  std::vector<int32_t> tokens;
  std::cout << shown << std::flush;
  std::string stop;                           // the --stop string reached, if one was
  auto emit = [&](const std::string& more) {  // false once the text reaches a --stop string
    generated += more;
    const std::string kept = cut_at_stop(generated, stops, stop);
    if (!stop.empty()) {
      std::cout << kept.substr(printed) << std::flush;
      return false;
    }
    if (generated.size() > printed + hold) {
      std::cout << generated.substr(printed, generated.size() - hold - printed) << std::flush;
      printed = generated.size() - hold;
    }
    return true;
  };
  o.on_token = [&](size_t, int32_t token) {
    tokens.push_back(token);
    if (token == m.tokenizer.eos_id()) {
      document.clear();
      shown.clear();
      return emit("\n\n");
    }
    document.push_back(token);
    const std::string now = m.tokenizer.decode(document);
    if (now.size() > shown.size() && now.compare(0, shown.size(), shown) == 0) {
      const std::string more = now.substr(shown.size());
      shown = now;
      return emit(more);
    }
    shown = now;
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  pldr::generate(*m.checkpoint.model, prompt, o);
  std::string reason;
  if (stop.empty()) {
    std::cout << generated.substr(printed);
    reason = stop_reason(tokens, o, m.tokenizer.eos_id());
  } else {
    reason = "--stop " + nlohmann::json(stop).dump();
  }
  std::cout << std::endl;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report_speed(tokens.size(), seconds, o, "; stopped at " + reason);
}

// --prompt TEXT, or each line of stdin: every sample streamed.
int generate_streamed(const LoadedModel& m, const Flags& flags, const GenerationOptions& o) {
  const std::vector<std::string> stops = flags.all("stop");
  for (const std::string& s : stops)
    if (s.empty()) throw UsageError("--stop needs a non-empty text");
  const int64_t samples = num_samples(flags);
  auto run = [&](const std::string& text) {
    const std::vector<int32_t> prompt = encode(m, text, o.max_new_tokens);
    for (int64_t i = 0; i < samples; ++i) {
      if (samples > 1) std::cout << "--- sample " << i + 1 << " of " << samples << " ---\n";
      stream_sample(m, prompt, for_sample(o, i), stops);
    }
  };
  print_seed(o);
  if (flags.has("prompt")) {
    run(flags.require("prompt"));
    return 0;
  }
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "no --prompt: reading prompts from stdin, one a line (Ctrl-D ends)\n");
  size_t prompts = 0;
  for (std::string line; std::getline(std::cin, line);)
    if (!line.empty()) run(line), ++prompts;
  if (prompts == 0) throw UsageError("no prompt: give --prompt TEXT, --prompts FILE or --ids, or lines on stdin");
  return 0;
}

}  // namespace

int cmd_generate(const Args& args) {
  const Flags flags(args, generate_spec());
  const GenerationOptions o = generation_options(flags);
  if (flags.has("ids") + flags.has("prompt") + flags.has("prompts") > 1)
    throw UsageError("give one of --prompt TEXT, --prompts FILE or --ids 2,15,7");
  num_samples(flags);  // checked before the model loads
  if (flags.has("ids")) return generate_from_ids(flags, o);
  const LoadedModel m = load_model_and_tokenizer(flags);
  if (flags.has("prompts")) return generate_for_prompts(m, flags, o);
  return generate_streamed(m, flags, o);
}

}  // namespace pldr::cli
