// bench_end_to_end: the main job's throughput and memory as one JSON report.
//
// Trains the run configuration's model on its prepared data for a few steps (the real trainer:
// data loading, forward, loss, backward, clipping, AdamW, validation at the end, checkpoint),
// then generates greedily from the checkpoint with the KV+G cache and without a cache, and
// writes what it measured: training tokens/s (median over logging windows after the first, so
// start-up is left out), wall time, validation bits per character, generation tokens/s in both
// modes, and the process's peak resident memory.
//
//   bench_end_to_end [--config apps/configs/shakespeare.json] [--steps 60] [--gen-tokens 100]
//                    [--prompt "ROMEO:"] [-o report.json] [section.key=value ...]
//
// The data files the configuration names must exist (scripts/train-default.sh prepares them).
// Training output goes to a scratch folder (training.out_dir is overridden), never to the run's.
// Memory is kept for reuse as in the pldr tool (tensor/memory_policy.h); PLDR_DEFAULT_MALLOC=1
// leaves the allocator at its defaults, to measure what that policy is worth.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "apps/flags.h"
#include "bench/timing.h"
#include "data/tokenizer.h"
#include "io/metric_keys.h"
#include "pldr/generate.h"
#include "tensor/memory_policy.h"
#include "tensor/threads.h"
#include "tensor/wait_policy.h"
#include "train/checkpoint.h"
#include "train/run_config.h"
#include "train/trainer.h"

namespace {

struct Options {
  std::string config = "apps/configs/shakespeare.json";
  int64_t steps = 60;
  int64_t gen_tokens = 100;
  std::string prompt = "ROMEO:";
  std::string output;  // empty: stdout
  std::vector<std::string> overrides;
};

Options parse(int argc, char** argv) {
  const pldr::cli::Flags flags({argv + 1, argv + argc},
                               {"config", "steps", "gen-tokens", "prompt", "output", "threads"}, {});
  if (const int n = pldr::requested_num_threads(flags.optional("threads"), 0)) pldr::set_num_threads(n);
  Options o;
  o.config = flags.get("config", o.config);
  o.steps = flags.get_int("steps", o.steps);
  o.gen_tokens = flags.get_int("gen-tokens", o.gen_tokens);
  o.prompt = flags.get("prompt", o.prompt);
  o.output = flags.get("output", o.output);
  for (const std::string& a : flags.positionals()) {
    if (a.find('=') == std::string::npos) throw std::invalid_argument("unknown argument " + a);
    o.overrides.push_back(a);  // section.key=value
  }
  if (o.steps < 2) throw std::invalid_argument("--steps must be at least 2");
  if (o.gen_tokens < 1) throw std::invalid_argument("--gen-tokens must be positive");
  return o;
}

using pldr::bench::median;

// tokens_per_s of every logging window but the first (which holds the start-up).
std::vector<double> window_throughputs(const std::string& metrics_path) {
  std::ifstream in(metrics_path);
  if (!in) throw std::runtime_error("cannot read " + metrics_path);
  std::vector<double> rates;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    if (!first) rates.push_back(j.at(pldr::io::metric_keys::kTokensPerS).get<double>());
    first = false;
  }
  return rates;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

nlohmann::json generation_report(const pldr::PldrModel& model, const std::vector<int32_t>& prompt, int64_t tokens,
                                 pldr::CacheMode cache, std::vector<int32_t>* produced) {
  pldr::GenerationOptions g;
  g.max_new_tokens = tokens;
  g.sampling.greedy = true;
  g.stop_at_eos = false;
  g.cache = cache;
  const pldr::GenerationResult r = pldr::generate(model, prompt, g);
  *produced = r.tokens;
  return {{"tokens", r.tokens.size()},
          {"seconds", r.seconds},
          {"tokens_per_s", r.seconds > 0 ? double(r.tokens.size()) / r.seconds : 0.0}};
}

// Removes the scratch training folder however the run ends.
struct ScratchFolder {
  std::filesystem::path path;
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

nlohmann::json run(const Options& o) {
  nlohmann::json j = pldr::RunConfig::read_json_file(o.config);
  for (const std::string& a : o.overrides) pldr::RunConfig::apply_override(j, a);
  const ScratchFolder scratch_folder{std::filesystem::temp_directory_path() /
                                     ("pldr-bench-" + std::to_string(getpid()))};
  const std::filesystem::path& scratch = scratch_folder.path;
  pldr::RunConfig::apply_override(j, "training.steps=" + std::to_string(o.steps));
  pldr::RunConfig::apply_override(j, "training.eval_every=" + std::to_string(o.steps));
  pldr::RunConfig::apply_override(j, "training.checkpoint_every=" + std::to_string(o.steps));
  pldr::RunConfig::apply_override(j, "training.log_every=" + std::to_string(std::max<int64_t>(1, o.steps / 10)));
  pldr::RunConfig::apply_override(j, "out_dir=" + scratch.string());
  const pldr::RunConfig config = pldr::RunConfig::from_json(j);
  config.validate();

  pldr::TrainOptions train_options;
  std::fprintf(stderr, "training %ld steps of %ldx%ld tokens...\n", long(o.steps), long(config.data.batch_size),
               long(config.data.context));
  const pldr::TrainSummary summary = pldr::train(config, train_options);
  const std::vector<double> rates = window_throughputs(scratch / "metrics.jsonl");
  const double median_rate = median(rates);

  std::fprintf(stderr, "generating %ld tokens with and without the cache...\n", long(o.gen_tokens));
  pldr::LoadedCheckpoint checkpoint = pldr::load_checkpoint(summary.checkpoint);
  std::vector<int32_t> prompt{static_cast<int32_t>(config.model.eos_token_id)};
  if (!config.tokenizer.empty()) {
    const std::vector<int32_t> encoded = pldr::data::Tokenizer::load(config.tokenizer).encode_prompt(o.prompt);
    if (!encoded.empty()) prompt = encoded;
  }
  if (int64_t(prompt.size()) + o.gen_tokens > config.model.max_position_embeddings)
    throw std::invalid_argument("prompt plus --gen-tokens exceeds the model's positions");
  std::vector<int32_t> cached_tokens, uncached_tokens;
  const nlohmann::json cached =
      generation_report(*checkpoint.model, prompt, o.gen_tokens, pldr::CacheMode::KVG, &cached_tokens);
  const nlohmann::json uncached =
      generation_report(*checkpoint.model, prompt, o.gen_tokens, pldr::CacheMode::None, &uncached_tokens);

  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  const int64_t tokens_per_step = config.data.batch_size * config.data.context * config.data.grad_accum;
  return {{"machine",
           {{"cpu", cpu_model()}, {"hardware_threads", std::thread::hardware_concurrency()}, {"omp_threads", threads}}},
          {"model",
           {{"config", o.config},
            {"parameters", checkpoint.model->parameter_count()},
            {"dtype", config.training.dtype},
            {"layers", config.model.num_hidden_layers},
            {"hidden_size", config.model.hidden_size},
            {"vocab_size", config.model.vocab_size}}},
          {"train",
           {{"steps", summary.steps},
            {"tokens_per_step", tokens_per_step},
            {"tokens_per_s_median", median_rate},
            {"tokens_per_s_min", rates.empty() ? 0.0 : *std::min_element(rates.begin(), rates.end())},
            {"tokens_per_s_max", rates.empty() ? 0.0 : *std::max_element(rates.begin(), rates.end())},
            {"ms_per_step", median_rate > 0 ? 1000.0 * double(tokens_per_step) / median_rate : 0.0},
            {"wall_s", summary.seconds},
            {"final_loss", summary.last_loss},
            {"val_loss", summary.val_loss},
            {"val_bits_per_char", summary.val_bits_per_char}}},
          {"generate",
           {{"prompt_tokens", prompt.size()},
            {"kv_g_cache", cached},
            {"no_cache", uncached},
            {"cache_speedup", uncached.at("tokens_per_s").get<double>() > 0
                                  ? cached.at("tokens_per_s").get<double>() / uncached.at("tokens_per_s").get<double>()
                                  : 0.0},
            {"same_tokens", cached_tokens == uncached_tokens}}},
          {"peak_rss_mib", peak_rss_mib()}};
}

}  // namespace

int main(int argc, char** argv) {
  pldr::sleep_idle_threads(argv);                                        // as the pldr tool does
  if (!std::getenv("PLDR_DEFAULT_MALLOC")) pldr::retain_freed_memory();  // as the pldr tool does
  try {
    const Options o = parse(argc, argv);
    const std::string report = run(o).dump(2);
    if (o.output.empty()) {
      std::cout << report << std::endl;
    } else {
      std::ofstream out(o.output);
      out << report << "\n";
      if (!out) throw std::runtime_error("cannot write " + o.output);
      std::fprintf(stderr, "report written to %s\n", o.output.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_end_to_end: %s\n", e.what());
    return 1;
  }
}
