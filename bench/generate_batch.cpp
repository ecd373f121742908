// bench_generate_batch: batched generation's throughput as one JSON report.
//
// Generates greedily for the same prompts (of mixed lengths, left-padded in a batch) in batches
// of 1, 8 and 32 with the KV+G cache, and reports generated tokens per second for each batch size,
// with the pads left out of A (the default) and entering A (Hugging Face's way). The model is a
// checkpoint's, or the run configuration's model freshly initialised (throughput does not depend
// on the weights). It also counts, per cached decode step and per generated token, the kernels
// dispatched, the buffers allocated and the host reads (decode_step_runtime_counts_by_batch).
//
//   bench_generate_batch [--config apps/configs/shakespeare.json | --checkpoint CKPT]
//                        [--prompts 32] [--new-tokens 32] [--repeats 3] [-o report.json]
#include <algorithm>
#include <cstdio>
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
#include "io/atomic_file.h"
#include "pldr/generate.h"
#include "tensor/backend.h"
#include "tensor/memory_policy.h"
#include "tensor/random.h"
#include "tensor/threads.h"
#include "tensor/wait_policy.h"
#include "train/checkpoint.h"
#include "train/run_config.h"

namespace {

struct Options {
  std::string config = "apps/configs/shakespeare.json";
  std::string checkpoint;
  int64_t prompts = 32, new_tokens = 32, repeats = 3;
  std::string output;  // empty: stdout
};

Options parse(int argc, char** argv) {
  const pldr::cli::Flags flags({argv + 1, argv + argc},
                               {"config", "checkpoint", "prompts", "new-tokens", "repeats", "output", "threads"}, {});
  if (const int n = pldr::requested_num_threads(flags.optional("threads"), 0)) pldr::set_num_threads(n);
  if (!flags.positionals().empty()) throw std::invalid_argument("unknown argument " + flags.positionals()[0]);
  Options o;
  o.config = flags.get("config", o.config);
  o.checkpoint = flags.get("checkpoint", o.checkpoint);
  o.prompts = flags.get_int("prompts", o.prompts);
  o.new_tokens = flags.get_int("new-tokens", o.new_tokens);
  o.repeats = flags.get_int("repeats", o.repeats);
  o.output = flags.get("output", o.output);
  if (o.prompts < 1 || o.new_tokens < 1 || o.repeats < 1)
    throw std::invalid_argument("--prompts, --new-tokens and --repeats must be positive");
  return o;
}

// Seeded prompts of 4..24 ids, avoiding the special ids 0-3.
std::vector<std::vector<int32_t>> make_prompts(int64_t count, int64_t vocab) {
  pldr::Generator gen(42);
  const std::vector<double> u = gen.uniform({count * 25}, 0.0, 1.0, pldr::DType::Float64).to_vector<double>();
  std::vector<std::vector<int32_t>> prompts;
  for (int64_t p = 0; p < count; ++p) {
    const int64_t length = 4 + static_cast<int64_t>(u[p * 25] * 21);
    std::vector<int32_t> ids;
    for (int64_t t = 0; t < length; ++t) ids.push_back(4 + static_cast<int32_t>(u[p * 25 + 1 + t] * double(vocab - 4)));
    prompts.push_back(ids);
  }
  return prompts;
}

// Median over repeats of generated tokens / wall time, all prompts in batches of `batch`.
double tokens_per_second(const pldr::PldrModel& model, const std::vector<std::vector<int32_t>>& prompts, int64_t batch,
                         const pldr::GenerationOptions& o, int64_t repeats) {
  std::vector<double> rates;
  for (int64_t r = 0; r < repeats; ++r) {
    size_t tokens = 0;
    double seconds = 0;
    for (size_t begin = 0; begin < prompts.size(); begin += batch) {
      const std::vector<std::vector<int32_t>> part(prompts.begin() + begin,
                                                   prompts.begin() + std::min(prompts.size(), begin + batch));
      const std::vector<pldr::GenerationResult> results = pldr::generate_batch(model, part, o);
      for (const auto& g : results) tokens += g.tokens.size();
      seconds += results.front().seconds;
    }
    rates.push_back(double(tokens) / seconds);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

// What one cached decode step asks of the runtime (tensor/backend.h's counters) for a batch of
// `batch` prompts: a generation of new_tokens minus one of a single token (the prompt pass),
// over the new_tokens - 1 decode steps in between. Per step, and per generated token.
nlohmann::json decode_step_counts(const pldr::PldrModel& model, const std::vector<std::vector<int32_t>>& prompts,
                                  int64_t batch, pldr::GenerationOptions o) {
  const std::vector<std::vector<int32_t>> part(prompts.begin(),
                                               prompts.begin() + std::min<size_t>(batch, prompts.size()));
  auto counts = [&](int64_t new_tokens) {
    o.max_new_tokens = new_tokens;
    pldr::reset_runtime_counts();
    pldr::generate_batch(model, part, o);
    return pldr::runtime_counts();
  };
  const int64_t new_tokens = o.max_new_tokens, steps = new_tokens - 1;
  const pldr::RuntimeCounts prompt_only = counts(1), all = counts(new_tokens);
  nlohmann::json j;
  for (const auto& [name, value] : {std::pair{"kernels_dispatched", all.dispatches - prompt_only.dispatches},
                                    {"allocations", all.allocations - prompt_only.allocations},
                                    {"host_reads", all.host_reads - prompt_only.host_reads}}) {
    j[name]["per_step"] = double(value) / double(steps);
    j[name]["per_token"] = double(value) / double(steps * static_cast<int64_t>(part.size()));
  }
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  pldr::sleep_idle_threads(argv);  // as the pldr tool does
  try {
    const Options opt = parse(argc, argv);
    pldr::retain_freed_memory();
    std::unique_ptr<pldr::PldrModel> model;
    std::string source;
    if (!opt.checkpoint.empty()) {
      model = std::move(pldr::load_checkpoint(opt.checkpoint).model);
      source = opt.checkpoint;
    } else {
      const pldr::RunConfig config = pldr::RunConfig::from_json(pldr::RunConfig::read_json_file(opt.config));
      model = std::make_unique<pldr::PldrModel>(config.model, pldr::DType::Float32);
      model->initialize(config.seed);
      source = opt.config + " (model freshly initialised, float32)";
    }
    const auto prompts = make_prompts(opt.prompts, model->config().vocab_size);
    pldr::GenerationOptions o;
    o.max_new_tokens = opt.new_tokens;
    o.sampling.greedy = true;
    o.stop_at_eos = false;  // every prompt generates the same number of tokens
    nlohmann::json report{{"model", source},
                          {"parameters", model->parameter_count()},
                          {"prompts", opt.prompts},
                          {"prompt_tokens", "4-24, left-padded in a batch"},
                          {"new_tokens_per_prompt", opt.new_tokens},
                          {"cache", "KV+G"},
                          {"repeats", opt.repeats},
                          {"hardware_threads", std::thread::hardware_concurrency()}};
#ifdef _OPENMP
    report["omp_threads"] = omp_get_max_threads();
#endif
    if (opt.new_tokens > 1) {
      nlohmann::json counts;
      for (const int64_t batch : {1, 8, 32})
        counts[std::to_string(batch)] = decode_step_counts(*model, prompts, batch, o);
      report["decode_step_runtime_counts_by_batch"] = counts;
    }
    for (const bool pads_enter_A : {false, true}) {
      o.pads_enter_A = pads_enter_A;
      nlohmann::json rates;
      for (const int64_t batch : {1, 8, 32}) {
        rates[std::to_string(batch)] = tokens_per_second(*model, prompts, batch, o, opt.repeats);
        std::fprintf(stderr, "pads %s, batch %ld: %.1f tokens/s\n", pads_enter_A ? "in A" : "out of A", long(batch),
                     rates[std::to_string(batch)].get<double>());
      }
      report[pads_enter_A ? "tokens_per_second_pads_in_A" : "tokens_per_second_by_batch"] = rates;
    }
    const std::string text = report.dump(2) + "\n";
    if (opt.output.empty()) std::cout << text;
    else pldr::io::write_file_atomically(opt.output, text);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_generate_batch: " << e.what() << "\n";
    return 1;
  }
}
