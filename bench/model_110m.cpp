// bench_model_110m: training and generation speed at the paper's 110M shape on either device, as
// one JSON report (issue 8's benchmark; scripts/gpu-check.sh runs it on the GPU).
//
// The model is PldrConfig's default (5 layers, 14 heads of 64, d 896, dff 2389, A_dff 170, 8
// residual units of 2 GLUs, vocab 32000), randomly initialised; batches are random tokens. Training
// is the real train_step (forward, cross-entropy, backward, elementwise clip 1.0, AdamW): the step
// time is the median over --steps timed steps after --warmup untimed ones (each step ends with a
// host read of its loss, so the device has finished). Generation is batch 1, greedy, the KV+G
// cache, after a --prompt-tokens random prompt: tokens/s over the new tokens of the median of
// --gen-runs runs (the prompt pass included, as a user waits for it).
//
//   bench_model_110m [--device cpu|cuda] [--dtype float32|float64] [--batch 16] [--seq 1024]
//                    [--steps 5] [--warmup 2] [--gen-tokens 64] [--prompt-tokens 32] [--gen-runs 3]
//                    [--peak-tflops P] [-o report.json] [model.KEY=VALUE ...]
//
// FLOPs per training step are those of its matrix products (training_flops below, reported as
// flops_per_step), divided by the step time; with --peak-tflops the report gives the fraction of
// that peak.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/flags.h"
#include "bench/timing.h"
#include "io/atomic_file.h"
#include "pldr/generate.h"
#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "tensor/threads.h"
#include "tensor/wait_policy.h"
#include "train/step.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string device = "cpu", dtype = "float32", output;
  int64_t batch = 16, seq = 1024, steps = 5, warmup = 2, gen_tokens = 64, prompt_tokens = 32, gen_runs = 3;
  double peak_tflops = 0;
  json model_overrides = json::object();
};

Options parse(int argc, char** argv) {
  const pldr::cli::Flags flags({argv + 1, argv + argc},
                               {"device", "dtype", "batch", "seq", "steps", "warmup", "gen-tokens", "prompt-tokens",
                                "gen-runs", "peak-tflops", "output", "threads"},
                               {});
  if (const int n = pldr::requested_num_threads(flags.optional("threads"), 0)) pldr::set_num_threads(n);
  auto count = [&](const std::string& name, int64_t fallback) {
    const int64_t n = flags.get_int(name, fallback);
    if (n < 0) throw std::invalid_argument("--" + name + " must not be negative");
    return n;
  };
  Options o;
  o.device = flags.get("device", o.device);
  o.dtype = flags.get("dtype", o.dtype);
  o.batch = count("batch", o.batch);
  o.seq = count("seq", o.seq);
  o.steps = count("steps", o.steps);
  o.warmup = count("warmup", o.warmup);
  o.gen_tokens = count("gen-tokens", o.gen_tokens);
  o.prompt_tokens = count("prompt-tokens", o.prompt_tokens);
  o.gen_runs = count("gen-runs", o.gen_runs);
  o.peak_tflops = flags.get_double("peak-tflops", o.peak_tflops);
  o.output = flags.get("output", o.output);
  for (const std::string& a : flags.positionals()) {  // model.KEY=VALUE
    const size_t eq = a.find('=');
    if (a.rfind("model.", 0) != 0 || eq == std::string::npos) throw std::invalid_argument("unknown argument " + a);
    o.model_overrides[a.substr(6, eq - 6)] = json::parse(a.substr(eq + 1));
  }
  if (o.batch < 1 || o.seq < 1 || o.steps < 1 || o.prompt_tokens < 1 || o.gen_runs < 1)
    throw std::invalid_argument("--batch, --seq, --steps, --prompt-tokens and --gen-runs must be positive");
  return o;
}

using pldr::bench::median;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Uniform random ids in [1, V) (0 is the pad id), [rows, cols] on the host.
pldr::Tensor random_ids(pldr::Generator& gen, int64_t rows, int64_t cols, int64_t vocab) {
  std::vector<int32_t> ids(size_t(rows * cols));
  for (int32_t& id : ids) id = static_cast<int32_t>(1 + gen.next_u64() % uint64_t(vocab - 1));
  return pldr::from_vector(ids, {rows, cols});
}

// The matrix-product FLOPs of one training step (a multiply-add counts 2) on B sequences of S
// tokens: three times the forward pass's, as the backward pass has two products of the same size
// for each forward one (the gradients of both factors). Elementwise work, norms, softmax and AdamW
// are left out, and so is the embedding: a row lookup, no product (the usual 6·N·tokens counts
// its V·d parameters too, and overstated the fraction of peak by about a third at the 110M shape).
// Forward, with d = H·dk, L layers, V vocabulary (pldr/attention.cpp, pldr/model.h):
//   per token, per layer:  wq, wk, wv, dense (d -> d)             4 · 2·d·d
//                          SwiGLU FFN (d -> dff twice, dff -> d)  3 · 2·d·dff
//                          q·G [S, dk]·[dk, dk] per head          2·H·dk²
//                          A = qᵀq, summed over the S tokens      2·H·dk²
//                          (qG)·kᵀ and E·v over S keys            2 · 2·H·dk·S
//                            (the whole S x S square: the causal mask is added after the product)
//   per token, once:       the LM head (d -> V)                   2·d·V
//   per sequence, per layer, per head, on [dk, dk] matrices:
//                          the metric learner's R units of nA GLUs (dk -> A_dff twice, A_dff -> dk)
//                                                                 R·nA · 3 · 2·dk²·A_dff
//                          the power law, W·A and a·Ap            2 · 2·dk³
// A predefined G (custom_G_type not learned) has no A, metric learner or power law.
double training_flops(const pldr::PldrConfig& c, int64_t batch, int64_t seq) {
  const double d = double(c.hidden_size), H = double(c.num_attention_heads), dk = double(c.head_dim), S = double(seq);
  const bool learned_G = c.custom_G_type == pldr::GType::Learned;
  const double per_token_layer = 4 * 2 * d * d + 3 * 2 * d * double(c.intermediate_size) + 2 * H * dk * dk +
                                 (learned_G ? 2 * H * dk * dk : 0) + 2 * 2 * H * dk * S;
  const double per_token = double(c.num_hidden_layers) * per_token_layer + 2 * d * double(c.vocab_size);
  const double per_sequence =
      learned_G
          ? double(c.num_hidden_layers) * H *
                (double(c.num_reslayerA * c.num_denseA) * 3 * 2 * dk * dk * double(c.A_dff) + 2 * 2 * dk * dk * dk)
          : 0;
  return 3 * (double(batch) * S * per_token + double(batch) * per_sequence);
}

// Kernels dispatched, buffers allocated and host reads, divided by `per` (steps or tokens).
// With the kernels per op, most first, read from the dispatch counters before the next reset.
json counts_json(const pldr::RuntimeCounts& c, double per) {
  std::vector<std::pair<uint64_t, std::string>> by_op;
  for (int i = 0; i < pldr::kOpCount; ++i)
    if (const uint64_t n = pldr::dispatch_count(pldr::Op(i))) by_op.push_back({n, pldr::op_name(pldr::Op(i))});
  std::sort(by_op.rbegin(), by_op.rend());
  json ops = json::object();
  for (const auto& [n, name] : by_op) ops[name] = double(n) / per;
  return {{"kernels", double(c.dispatches) / per},
          {"allocations", double(c.allocations) / per},
          {"host_reads", double(c.host_reads) / per},
          {"host_read_bytes", double(c.host_read_bytes) / per},
          {"kernels_by_op", ops}};
}

json train_report(pldr::PldrModel& model, const Options& o, pldr::Generator& gen) {
  pldr::optim::AdamW adamw(model.parameters(), {0.9, 0.95, 1e-5, 0.1});
  pldr::StepSettings settings;
  settings.clip_value = 1.0;
  std::vector<double> step_seconds, losses;
  pldr::RuntimeCounts counts;  // of the last step
  for (int64_t s = 0; s < o.warmup + o.steps; ++s) {
    const pldr::Example ex = pldr::example_from_tokens(random_ids(gen, o.batch, o.seq + 1, model.config().vocab_size));
    const Clock::time_point start = Clock::now();
    pldr::reset_runtime_counts();
    losses.push_back(pldr::train_step(model, adamw, {ex}, 1e-4, settings).loss);  // a host read: the step has finished
    counts = pldr::runtime_counts();
    const double t = seconds_since(start);
    if (s >= o.warmup) step_seconds.push_back(t);
    std::fprintf(stderr, "train step %ld/%ld: %.1f ms, loss %.4f\n", long(s + 1), long(o.warmup + o.steps), t * 1e3,
                 losses.back());
  }
  const double tokens = double(o.batch * o.seq), step = median(step_seconds);
  std::vector<double> step_ms;
  for (double t : step_seconds) step_ms.push_back(t * 1e3);
  const double flops = training_flops(model.config(), o.batch, o.seq);
  json j{{"ms_per_step", step * 1e3}, {"tokens_per_s", tokens / step},           {"step_ms_all", step_ms},
         {"flops_per_step", flops},   {"estimated_tflops", flops / step / 1e12}, {"per_step", counts_json(counts, 1)},
         {"losses", losses}};  // every step's, warm-up included: runs on two devices compare them
  if (o.peak_tflops > 0) j["fraction_of_peak"] = flops / step / 1e12 / o.peak_tflops;
  return j;
}

json generate_report(const pldr::PldrModel& model, const Options& o, pldr::Generator& gen) {
  const pldr::Tensor prompt_ids = random_ids(gen, 1, o.prompt_tokens, model.config().vocab_size);
  const std::vector<int32_t> prompt = prompt_ids.to_vector<int32_t>();
  pldr::GenerationOptions g;
  g.max_new_tokens = o.gen_tokens;
  g.sampling.greedy = true;
  g.stop_at_eos = false;
  g.cache = pldr::CacheMode::KVG;
  std::vector<double> rates;
  std::vector<int32_t> last_tokens;
  pldr::RuntimeCounts counts;  // of the last run
  for (int64_t r = 0; r < o.gen_runs; ++r) {
    pldr::reset_runtime_counts();
    const pldr::GenerationResult result = pldr::generate(model, prompt, g);
    counts = pldr::runtime_counts();
    last_tokens = result.tokens;
    rates.push_back(double(result.tokens.size()) / result.seconds);
    std::fprintf(stderr, "generate run %ld/%ld: %zu tokens in %.3f s\n", long(r + 1), long(o.gen_runs),
                 result.tokens.size(), result.seconds);
  }
  return {{"tokens_per_s", median(rates)},
          {"runs_tokens_per_s", rates},
          {"tokens", last_tokens},
          {"per_token", counts_json(counts, double(last_tokens.size()))},  // the prompt's pass included
          {"prompt_tokens", o.prompt_tokens},
          {"new_tokens", o.gen_tokens},
          {"batch", 1},
          {"cache", "kvg"},
          {"greedy", true}};
}

int run(const Options& o) {
  const pldr::Device device = pldr::device_from_name(o.device);
  const pldr::DType dtype = pldr::dtype_from_name(o.dtype);
  pldr::backend(device);  // fails now, with the reason, when the device is not usable
  json model_json = pldr::PldrConfig{}.to_json();
  model_json.merge_patch(o.model_overrides);
  const pldr::PldrConfig config = pldr::PldrConfig::from_json(model_json);
  if (o.seq > config.max_position_embeddings)
    throw std::invalid_argument("--seq " + std::to_string(o.seq) + " exceeds the model's " +
                                std::to_string(config.max_position_embeddings) + " positions");

  pldr::PldrModel model(config, dtype);
  model.to(device);
  model.initialize(1);
  std::fprintf(stderr, "model: %ld parameters, %s, %s\n", long(model.parameter_count()), o.dtype.c_str(),
               o.device.c_str());
  pldr::Generator gen(2);
  json report{
      {"bench", "model_110m"}, {"device", o.device}, {"dtype", o.dtype}, {"parameters", model.parameter_count()},
      {"model", model_json},   {"batch", o.batch},   {"seq", o.seq},     {"train", train_report(model, o, gen)}};
  if (o.gen_tokens > 0) report["generate"] = generate_report(model, o, gen);
  const std::string text = report.dump(2) + "\n";
  if (o.output.empty()) std::cout << text;
  else pldr::io::write_file_atomically(o.output, text);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  pldr::sleep_idle_threads(argv);  // as the pldr tool does
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_model_110m: %s\n", e.what());
    return 1;
  }
}
