#include "train/trainer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <stdexcept>

#include "autograd/autocast.h"
#include "autograd/grad_mode.h"
#include "data/corpus_meta.h"
#include "data/sample_loader.h"
#include "data/token_file.h"
#include "data/tokenizer.h"
#include "dist/gradients.h"
#include "io/atomic_file.h"
#include "io/metric_keys.h"
#include "optim/schedule.h"
#include "pldr/losses.h"
#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/threads.h"
#include "train/checkpoint.h"
#include "train/checkpoint_history.h"
#include "train/deductive_stats.h"
#include "train/running_metrics.h"
#include "train/step.h"

namespace pldr {

namespace {

using Clock = std::chrono::steady_clock;
namespace keys = io::metric_keys;

data::SampleLoader make_loader(const std::string& path, const RunConfig& c, bool shuffle,
                               const dist::ProcessGroup& group) {
  auto tokens = std::make_shared<data::TokenFile>(path);
  if (tokens->vocab_size() > static_cast<uint64_t>(c.model.vocab_size))
    throw std::runtime_error("token file " + path + " has vocabulary " + std::to_string(tokens->vocab_size()) +
                             ", the model only " + std::to_string(c.model.vocab_size));
  data::LoaderOptions o;
  o.context = static_cast<uint64_t>(c.data.context);
  o.batch_size = static_cast<uint64_t>(c.data.batch_size);
  o.mode = data::parse_pack_mode(c.data.packing);
  o.documents_per_aggregate = static_cast<uint64_t>(c.data.aggregate_documents);
  o.eos_id = static_cast<int32_t>(c.model.eos_token_id);
  o.shuffle = shuffle;
  o.seed = c.seed;
  o.rank = static_cast<uint32_t>(group.rank());
  o.world_size = static_cast<uint32_t>(group.world_size());
  return data::SampleLoader(tokens, o);
}

Example next_example(data::SampleLoader& loader, Device device) {
  const data::Batch b = loader.next();
  return example_from_tokens(
      from_vector(b.tokens, {int64_t(b.batch_size), int64_t(b.sample_length)}, DType::Int32, device));
}

// Averages over a window of steps (the global ones are RunningMetrics, which survive a resume).
struct Average {
  double sum = 0;
  int64_t count = 0;
  void add(double v) { sum += v, ++count; }
  double mean() const { return count ? sum / double(count) : 0.0; }
};

struct Validation {
  double loss = 0, accuracy = 0, bits_per_char = 0;
  std::array<double, 3> dag{0, 0, 0};  // DAG terms A_LM, Ap, G_LM (a learned G only)
};

// Everything a run holds: configuration, model, optimiser, data, outputs.
struct Run {
  dist::ProcessGroup* group = nullptr;
  bool writer = false;  // rank 0 writes the run's files
  RunConfig config;
  TrainingState state;
  std::unique_ptr<PldrModel> model;
  std::unique_ptr<optim::AdamW> adamw;
  std::optional<data::SampleLoader> train_loader, val_loader;
  std::optional<data::CorpusMeta> meta;
  std::string checkpoint_path;
  std::ofstream metrics;
  bool resumed = false;
  // Epoch and global averages kept across a resume (saved beside each checkpoint), and the
  // checkpoint history (training.keep_every / keep_last).
  std::string running_path;
  RunningMetrics running;
  std::optional<CheckpointHistory> history;
};

// A checkpoint written by W ranks resumes on M ranks. Its data position is per rank: each rank
// has read k batches (data_index = k·b samples of its share), so the run has read the epoch's
// batches 0 .. k·W - 1 (rank r of W reads batches r, r + W, ...). M ranks go on from batch k·W
// when M divides k·W: each then has read k·W / M batches of its share of M. The batches come in
// the same order, grouped M to a step instead of W. Throws when M does not divide k·W.
void adapt_world_size(TrainingState& state, const RunConfig& config, const std::string& path, int world_size) {
  const int64_t W = state.world_size, M = world_size;
  if (W == M) return;
  const uint64_t b = uint64_t(config.data.batch_size);
  const uint64_t batches = state.data_index / b * uint64_t(W);  // of this epoch, over all ranks
  if (state.data_index % b != 0 || batches % uint64_t(M) != 0)
    throw std::runtime_error("checkpoint " + path + " was written by a run of " + std::to_string(W) +
                             " ranks, this run has " + std::to_string(M) + ": its ranks have read " +
                             std::to_string(batches) + " batches of epoch " + std::to_string(state.data_epoch) +
                             ", which " + std::to_string(M) +
                             " ranks cannot share evenly; resume it with a world size that divides " +
                             std::to_string(batches) + " (such as " + std::to_string(W) + ")");
  state.data_index = batches / uint64_t(M) * b;
  state.world_size = M;
}

// Sets the OpenMP threads: PLDR_NUM_THREADS (where `pldr --threads` leaves its value) over
// training.threads; neither (0) leaves the default.
void set_threads(const RunConfig& config) {
  const int n = requested_num_threads(std::nullopt, static_cast<int>(config.training.threads));
  if (n > 0) set_num_threads(n);
}

// training.device, once checked: this build and machine have it. Several ranks on CUDA reduce
// their gradients through the process group's tensor collectives (NCCL on the device, the ring and
// Gloo through host copies); which GPU a rank uses is the CUDA runtime's current device (README,
// "Data-parallel training"). UNVERIFIED on several GPUs.
Device checked_device(const RunConfig& config) {
  const Device device = device_from_name(config.training.device);
  backend(device);  // fails here, before any file is written, when this build or machine has no such device
  return device;
}

// Writes <out_dir>/run_config.json, creating the folder.
void write_run_config(const RunConfig& config) {
  std::filesystem::create_directories(config.out_dir);
  std::ofstream out(config.out_dir + "/run_config.json");
  out << config.to_json().dump(2) << "\n";
}

// A fresh run's model (initialised from the seed, with an external G when configured) and state.
void start_model(Run& run, DType dtype) {
  const RunConfig& config = run.config;
  run.model = std::make_unique<PldrModel>(config.model, dtype);
  run.model->initialize(config.seed);
  if (config.model.custom_G_type == GType::External)
    run.model->predefined_G = load_external_G(config.external_G.file, config.external_G.group, config.model, dtype);
  if (!config.tokenizer.empty()) run.state.tokenizer_identity = data::Tokenizer::load(config.tokenizer).identity();
  run.state.world_size = run.group->world_size();
}

// Every rank starts from rank 0's parameters (they agree already when all read the same seed or
// checkpoint; this makes sure).
void broadcast_parameters(Run& run) {
  for (ag::Variable& p : run.model->parameters()) {
    Tensor& value = p.mutable_value();
    run.group->broadcast(value, 0);
  }
}

// Reads data.meta, which must name the run's tokenizer when the run knows it.
void read_meta(Run& run) {
  const RunConfig& config = run.config;
  run.meta = data::read_corpus_meta(config.data.meta);
  if (!run.state.tokenizer_identity.empty() && run.meta->tokenizer_identity != run.state.tokenizer_identity)
    throw std::runtime_error("data " + config.data.meta + " was prepared with tokenizer " +
                             run.meta->tokenizer_identity + ", the run uses " + run.state.tokenizer_identity);
}

// The AdamW optimiser over the model's parameters, with its state from the checkpoint on a resume.
// With training.shard_optimizer, each rank holds the moments of its shard (dist::shard_range) of
// the parameters' elements.
void create_optimizer(Run& run, const TrainOptions& options) {
  const RunConfig& config = run.config;
  std::optional<optim::ElementRange> shard;
  if (config.training.shard_optimizer) {
    size_t elements = 0;
    for (const ag::Variable& p : run.model->parameters()) elements += size_t(p.value().numel());
    const dist::ShardRange r = dist::shard_range(elements, run.group->world_size(), run.group->rank());
    shard = optim::ElementRange{r.begin, r.end};
  }
  run.adamw = std::make_unique<optim::AdamW>(run.model->parameters(),
                                             optim::AdamWOptions{config.optimizer.beta1, config.optimizer.beta2,
                                                                 config.optimizer.eps, config.optimizer.weight_decay},
                                             shard);
  if (run.resumed) load_optimizer_state(options.resume_from, *run.model, *run.adamw);
}

// The training loader at the state's data position, and the validation loader when there is data.val.
void open_loaders(Run& run) {
  const RunConfig& config = run.config;
  run.train_loader.emplace(make_loader(config.data.train, config, config.data.shuffle, *run.group));
  run.train_loader->seek({run.state.data_epoch, run.state.data_index});
  if (!config.data.val.empty()) run.val_loader.emplace(make_loader(config.data.val, config, false, *run.group));
}

// On a resume, drops the lines of metrics.jsonl that the resumed run writes again: the steps after
// the checkpoint's `step`, and an epoch's line written at step index `step` (the resumed run's
// first step). They are there when the run went on past its checkpoint and was then lost (an
// attempt that --max-restarts restarts): the file then holds every step once. A torn last line
// (a rank killed while writing it) goes too. Rewritten atomically, and only when something goes.
void drop_metrics_after(const std::string& path, int64_t step) {
  std::ifstream in(path);
  std::vector<std::string> kept;
  bool dropped = false;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    const bool torn = j.is_discarded() && in.peek() == std::char_traits<char>::eof();
    const bool later = !j.is_discarded() && j.contains(keys::kStep) &&
                       j[keys::kStep].get<int64_t>() >= (j.contains(keys::kEpoch) ? step : step + 1);
    if (torn || later) dropped = true;
    else kept.push_back(line);
  }
  if (!dropped) return;
  std::string text;
  for (const std::string& line : kept) text += line + "\n";
  io::write_file_atomically(path, text);
}

// metrics.jsonl (rank 0; appended to on a resume), the running averages (restored on a resume)
// and the checkpoint history.
void open_outputs(Run& run) {
  const RunConfig& config = run.config;
  if (run.writer) {
    if (run.resumed) drop_metrics_after(config.out_dir + "/metrics.jsonl", run.state.step);
    run.metrics.open(config.out_dir + "/metrics.jsonl", run.resumed ? std::ios::app : std::ios::trunc);
    if (!run.metrics) throw std::runtime_error("cannot write " + config.out_dir + "/metrics.jsonl");
  }
  run.running_path = config.out_dir + "/running_metrics.json";
  if (run.resumed) run.running = RunningMetrics::load(run.running_path, run.state.step).value_or(RunningMetrics{});
  run.history.emplace(config.out_dir, config.training.keep_every, config.training.keep_last, config.training.save_at);
}

// A resume must train at least one step: the checkpoint before the run's last step (after
// extend_to_steps) and before stop_after. Sets the extended step count into `config`.
void check_resume_has_work(const LoadedCheckpoint& resumed, RunConfig& config, const TrainOptions& options) {
  const int64_t at = resumed.state.step;
  const std::string where = "checkpoint " + options.resume_from + " is at step " + std::to_string(at);
  if (options.extend_to_steps > 0) {
    if (options.extend_to_steps <= at)
      throw std::runtime_error(where + ": training.steps=" + std::to_string(options.extend_to_steps) +
                               " would not train any step (give more than " + std::to_string(at) + ")");
    config.training.steps = options.extend_to_steps;
  }
  if (at >= config.training.steps)
    throw std::runtime_error(where + ", the run's last (training.steps=" + std::to_string(config.training.steps) +
                             "): nothing to train; extend the run with training.steps=N");
  if (options.stop_after >= 0 && options.stop_after <= at)
    throw std::runtime_error(where + ": stopping after step " + std::to_string(options.stop_after) +
                             " would not train any step");
}

void open_run(Run& run, const RunConfig& config_in, const TrainOptions& options) {
  std::optional<LoadedCheckpoint> resumed;
  if (!options.resume_from.empty()) resumed = load_checkpoint(options.resume_from);
  run.resumed = resumed.has_value();
  run.config = resumed ? resumed->config : config_in;
  const int world_size = run.group->world_size();
  if (resumed) adapt_world_size(resumed->state, resumed->config, options.resume_from, world_size);
  if (resumed) check_resume_has_work(*resumed, run.config, options);
  if (resumed && options.shard_optimizer) run.config.training.shard_optimizer = *options.shard_optimizer;
  const RunConfig& config = run.config;
  config.validate();
  set_threads(config);
  const DType dtype = dtype_from_name(config.training.dtype);
  const Device device = checked_device(config);
  run.checkpoint_path = config.out_dir + "/checkpoint.h5";
  if (run.writer) write_run_config(config);

  if (resumed) {
    run.model = std::move(resumed->model);
    run.state = resumed->state;
  } else {
    start_model(run, dtype);
  }
  broadcast_parameters(run);
  run.model->to(device);

  if (!config.data.meta.empty()) read_meta(run);
  create_optimizer(run, options);
  open_loaders(run);
  open_outputs(run);
}

// Validation: the same first batches every time, no tape.
Validation validate(Run& run) {
  Validation v;
  if (!run.val_loader) return v;
  ag::NoGradGuard no_grad;
  data::SampleLoader& loader = *run.val_loader;
  loader.seek({0, 0});
  const int64_t batches = std::min<int64_t>(run.config.training.eval_batches, int64_t(loader.batches_per_epoch()));
  const bool learned_G = run.model->config().custom_G_type == GType::Learned;
  Average loss, acc;
  std::array<double, 3> dag_sums{0, 0, 0};
  for (int64_t i = 0; i < batches; ++i) {
    const Example ex = next_example(loader, run.model->device());
    const ForwardResult r = run.model->forward(ex.input);
    const LanguageModelLoss l = masked_cross_entropy(r.logits, ex.target);
    loss.add(l.loss.item());
    acc.add(l.accuracy());
    if (!learned_G) continue;
    const DagLoss dag = dag_loss(r.layers, {0, 0, 0});  // the terms alone, unweighted
    dag_sums[0] += dag.A_LM.item();
    dag_sums[1] += dag.Ap.item();
    dag_sums[2] += dag.G_LM.item();
  }
  // Sums and counts over the ranks (each validated its own share of the batches).
  std::array<double, 6> sums{loss.sum, acc.sum, double(loss.count), dag_sums[0], dag_sums[1], dag_sums[2]};
  run.group->all_reduce(std::span<double>(sums));
  loss = {sums[0], int64_t(sums[2])};
  acc = {sums[1], int64_t(sums[2])};
  v.loss = loss.mean();
  v.accuracy = acc.mean();
  for (size_t t = 0; t < 3; ++t) v.dag[t] = Average{sums[3 + t], int64_t(sums[2])}.mean();
  if (run.meta && run.meta->splits.count("val") && run.meta->splits.at("val").text_chars > 0) {
    const data::SplitStats& s = run.meta->splits.at("val");
    v.bits_per_char = v.loss / std::log(2.0) * double(s.tokens) / double(s.text_chars);
  }
  return v;
}

StepSettings step_settings(const RunConfig& c) {
  StepSettings s;
  s.dag = c.dag;
  s.report_dag = c.model.custom_G_type == GType::Learned;
  s.clip_value = c.optimizer.clip_value;
  s.clip_norm = c.optimizer.clip_norm;
  s.deductive_stats = c.training.deductive_stats;
  return s;
}

nlohmann::json metrics_line(const TrainProgress& p, const StepResult& r, const RunningMetrics& running,
                            int64_t tokens_seen, double elapsed, bool learned_G, const Validation* val) {
  nlohmann::json line{{keys::kStep, p.step},
                      {keys::kLoss, p.loss},
                      {keys::kAccuracy, p.accuracy},
                      {keys::kGlobalLoss, running.global_loss()},
                      {keys::kGlobalAccuracy, running.global_accuracy()},
                      {keys::kLr, p.lr},
                      {keys::kGradNorm, p.grad_norm},
                      {keys::kTokensPerS, p.tokens_per_s},
                      {keys::kTokensSeen, tokens_seen},
                      {keys::kElapsedS, elapsed}};
  if (learned_G) {
    line[keys::kDagALM] = p.dag[0];
    line[keys::kDagAp] = p.dag[1];
    line[keys::kDagGLM] = p.dag[2];
  }
  add_deductive_stats(line, r.deductive);
  if (val) {
    line[keys::kValLoss] = val->loss;
    line[keys::kValAccuracy] = val->accuracy;
    if (val->bits_per_char > 0) line[keys::kValBitsPerChar] = val->bits_per_char;
    if (learned_G) {
      line[keys::kValDagALM] = val->dag[0];
      line[keys::kValDagAp] = val->dag[1];
      line[keys::kValDagGLM] = val->dag[2];
    }
  }
  return line;
}

// What every step of a train_ranks call reads.
struct LoopSettings {
  optim::WarmupCosine schedule;
  StepSettings step_settings;
  bool learned_G = false;
  int64_t first_step = 0, last_step = 0;  // this call trains steps first_step .. last_step - 1
  int64_t tokens_per_step = 0;            // over the micro-batches and the ranks
};

// The loop's settings for a call that starts at step first_step.
LoopSettings loop_settings(const RunConfig& config, const TrainOptions& options, int64_t first_step, int world_size) {
  LoopSettings s;
  s.schedule = {config.optimizer.lr, config.schedule.warmup_steps, config.training.steps, config.schedule.alpha};
  s.step_settings = step_settings(config);
  s.learned_G = config.model.custom_G_type == GType::Learned;
  s.last_step = options.stop_after >= 0 ? std::min(options.stop_after, config.training.steps) : config.training.steps;
  s.first_step = first_step;
  s.tokens_per_step = config.data.batch_size * config.data.context * config.data.grad_accum * world_size;
  return s;
}

// What the loop carries from step to step besides the TrainingState: the logging window (the
// averages and throughput since the previous metrics line), the last validation and the last
// logged loss.
struct LoopState {
  Clock::time_point start;         // of the loop
  Clock::time_point window_start;  // moved on by validation time: tokens/s counts training time only
  int64_t window_tokens = 0;
  Average running_loss, running_acc;
  std::array<Average, 3> running_dag;  // DAG terms A_LM, Ap, G_LM
  Validation last_val;
  double last_logged_loss = 0;
  int64_t first_step = 0;
};

// One optimiser step on data.grad_accum micro-batches; a diverged step becomes an error naming
// the step and the last good checkpoint.
StepResult run_step(Run& run, const StepSettings& settings, double lr) {
  std::vector<Example> micro_batches;
  for (int64_t micro = 0; micro < run.config.data.grad_accum; ++micro)
    micro_batches.push_back(next_example(*run.train_loader, run.model->device()));
  try {
    return train_step(*run.model, *run.adamw, micro_batches, lr, settings, run.group);
  } catch (const TrainingDiverged& e) {
    throw std::runtime_error(
        std::string("training diverged: ") + e.what() + " at step " + std::to_string(run.state.step + 1) +
        "; parameters were not updated. The last good checkpoint, if any, is " + run.checkpoint_path);
  }
}

// Counts step `step` as done in the state: the step, the tokens seen and the data position.
void advance_state(Run& run, int64_t step, int64_t tokens_per_step) {
  TrainingState& state = run.state;
  state.step = step + 1;
  state.tokens_seen += tokens_per_step;
  const data::LoaderPosition pos = run.train_loader->position();
  state.data_epoch = pos.epoch;
  state.data_index = pos.index;
}

// Adds the step's loss and accuracy to the window and to the running averages; when the step
// began a new data epoch, rank 0 writes the finished epoch's line.
void add_to_averages(Run& run, LoopState& loop, const StepResult& r, int64_t step, uint64_t step_epoch,
                     int64_t tokens_per_step) {
  loop.window_tokens += tokens_per_step;
  loop.running_loss.add(r.loss);
  loop.running_acc.add(r.accuracy);
  for (size_t t = 0; t < 3; ++t) loop.running_dag[t].add(r.dag[t]);
  if (const std::optional<EpochMetrics> e = run.running.add(r.loss, r.accuracy, step_epoch); e && run.writer)
    run.metrics << nlohmann::json{{keys::kStep, step},
                                  {keys::kEpoch, e->epoch},
                                  {keys::kEpochLoss, e->loss},
                                  {keys::kEpochAccuracy, e->accuracy}}
                       .dump()
                << "\n";
}

// Whether the step that brings the run to `step` writes a metrics line: every training.log_every
// steps, at the last, and wherever it validates (every training.eval_every steps). The deductive
// statistics are computed on those steps only.
// Whether the step that brings the run to `step` validates: every training.eval_every steps, and
// at the last.
bool validates_after(const RunConfig& config, int64_t step, int64_t last_step) {
  const int64_t eval_every = config.training.eval_every;
  return eval_every > 0 && (step % eval_every == 0 || step == last_step);
}

bool logs_after(const RunConfig& config, int64_t step, int64_t last_step) {
  return step % config.training.log_every == 0 || step == last_step || validates_after(config, step, last_step);
}

// Validates when due (validates_after); returns whether it did.
bool validate_if_due(Run& run, LoopState& loop, int64_t last_step) {
  const bool eval_now = validates_after(run.config, run.state.step, last_step);
  if (eval_now) {
    const auto eval_start = Clock::now();
    loop.last_val = validate(run);
    loop.window_start += Clock::now() - eval_start;  // tokens/s counts training time only
  }
  return eval_now;
}

// The progress line of the window that ends `now`.
TrainProgress window_progress(const Run& run, const LoopSettings& settings, const LoopState& loop, const StepResult& r,
                              double lr, bool eval_now, bool last, Clock::time_point now) {
  const double window_s = std::chrono::duration<double>(now - loop.window_start).count();
  const double elapsed = std::chrono::duration<double>(now - loop.start).count();
  TrainProgress p;
  p.step = run.state.step;
  p.last_step = settings.last_step;
  p.loss = loop.running_loss.mean();
  p.accuracy = loop.running_acc.mean();
  for (size_t t = 0; t < 3; ++t) p.dag[t] = loop.running_dag[t].mean();
  p.lr = lr;
  p.grad_norm = r.grad_norm;
  p.tokens_per_s = window_s > 0 ? double(loop.window_tokens) / window_s : 0;
  p.eta_s = double(settings.last_step - run.state.step) * elapsed / double(run.state.step - settings.first_step);
  p.validated = eval_now && run.val_loader;
  p.val_loss = loop.last_val.loss;
  p.val_bits_per_char = loop.last_val.bits_per_char;
  p.final = last;
  return p;
}

// Ends the logging window at this step: rank 0 writes its metrics line, on_progress receives it,
// and the next window starts.
void end_window(Run& run, const LoopSettings& settings, LoopState& loop, const TrainOptions& options,
                const StepResult& r, double lr, bool eval_now, bool last) {
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - loop.start).count();
  const TrainProgress p = window_progress(run, settings, loop, r, lr, eval_now, last, now);
  if (run.writer)
    run.metrics << metrics_line(p, r, run.running, run.state.tokens_seen, elapsed, settings.learned_G,
                                p.validated ? &loop.last_val : nullptr)
                       .dump()
                << "\n"
                << std::flush;
  if (options.on_progress) options.on_progress(p);
  loop.last_logged_loss = loop.running_loss.mean();
  loop.running_loss = loop.running_acc = Average{};
  loop.running_dag = {};
  loop.window_start = now;
  loop.window_tokens = 0;
}

// A sharded AdamW's moment (0: m, 1: v), whole, into `whole` on the writer (rank 0): each rank's
// shard is broadcast from it in turn; the other ranks pass the shards on through `whole`, one
// shard long there (the ring forwards a broadcast). Called on every rank, in the same order.
void gather_moment(const Run& run, int moment, Tensor& whole) {
  const optim::AdamW& adamw = *run.adamw;
  dist::ProcessGroup& group = *run.group;
  const size_t count = size_t(adamw.flat_parameters().numel());
  const int N = group.world_size();
  for (int r = 0; r < N; ++r) {
    const dist::ShardRange s = dist::shard_range(count, N, r);
    const int64_t begin = run.writer ? int64_t(s.begin) : 0;
    Tensor part = whole.slice(0, begin, begin + int64_t(s.end - s.begin));
    if (r == group.rank()) part.copy_from(moment == 0 ? adamw.shard_first_moment() : adamw.shard_second_moment());
    group.broadcast(part, r);
  }
}

// Saves a sharded run's checkpoint: rank 0 writes it, gathering m and then v into one buffer of
// all the parameters' elements as it goes (so it holds the moments of one unsharded AdamW at most),
// while the other ranks take part in the two gathers through a buffer of one shard.
void save_sharded_checkpoint(Run& run) {
  const optim::AdamW& adamw = *run.adamw;
  const Tensor params = adamw.flat_parameters();
  const size_t count = size_t(params.numel());
  const size_t largest = (count + size_t(run.group->world_size()) - 1) / size_t(run.group->world_size());
  Tensor whole = Tensor::empty({int64_t(run.writer ? count : largest)}, params.dtype());
  if (!run.writer) {
    for (const int moment : {0, 1}) gather_moment(run, moment, whole);
    return;
  }
  OptimizerState state;
  state.steps = adamw.steps();
  size_t at = 0;
  for (const ag::Variable& p : adamw.parameters()) {
    const size_t n = size_t(p.value().numel());
    state.m.push_back(whole.slice(0, int64_t(at), int64_t(at + n)).view(p.shape()));
    at += n;
  }
  state.v = state.m;  // the same buffer, refilled for v
  state.gather = [&run, &whole](int moment) { gather_moment(run, moment, whole); };
  save_checkpoint(run.checkpoint_path, run.config, *run.model, state, run.state);
}

// Rank 0 saves a checkpoint at the last step, every training.checkpoint_every steps and at the
// steps of training.save_at, records it in the history and saves the running averages beside it.
// A sharded optimizer's state is gathered on every rank as rank 0 writes it.
void checkpoint_if_due(Run& run, bool last) {
  const RunConfig& config = run.config;
  const TrainingState& state = run.state;
  const int64_t every = config.training.checkpoint_every;
  const std::vector<int64_t>& save_at = config.training.save_at;
  const bool listed = std::find(save_at.begin(), save_at.end(), state.step) != save_at.end();
  if (!(last || (every > 0 && state.step % every == 0) || listed)) return;
  if (run.adamw->sharded()) save_sharded_checkpoint(run);
  else if (run.writer) save_checkpoint(run.checkpoint_path, config, *run.model, run.adamw.get(), state);
  if (!run.writer) return;
  run.history->record(run.checkpoint_path, state.step);
  run.running.save(run.running_path, state.step);
}

// Whether a stop was requested on any rank (they all stop after the same step).
bool stop_requested(const Run& run, const TrainOptions& options) {
  if (!options.stop_requested) return false;
  std::array<double, 1> flag{options.stop_requested->load() ? 1.0 : 0.0};
  if (run.group->world_size() > 1) run.group->all_reduce(std::span<double>(flag));
  return flag[0] > 0;
}

// Every rank's VmHWM (/proc/self/status) in MiB, gathered by a sum of vectors that are zero but
// for each rank's own slot; 0 where the file is unreadable.
std::vector<double> peak_memory_per_rank(dist::ProcessGroup& group) {
  std::vector<double> mib(size_t(group.world_size()), 0.0);
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) mib[size_t(group.rank())] = std::stod(line.substr(6)) / 1024.0;  // kB
  group.all_reduce(std::span<double>(mib));
  return mib;
}

// What train returns: the steps done, the last losses and validation, the time taken, the checkpoint.
TrainSummary summary_of(const Run& run, const LoopState& loop) {
  TrainSummary summary;
  summary.first_step = loop.first_step;
  summary.steps = run.state.step;
  summary.last_loss = loop.last_logged_loss;
  summary.val_loss = loop.last_val.loss;
  summary.val_accuracy = loop.last_val.accuracy;
  summary.val_bits_per_char = loop.last_val.bits_per_char;
  summary.seconds = std::chrono::duration<double>(Clock::now() - loop.start).count();
  summary.checkpoint = run.checkpoint_path;
  return summary;
}

TrainSummary train_ranks(const RunConfig& config_in, const TrainOptions& options, dist::ProcessGroup& group) {
  Run run;
  run.group = &group;
  run.writer = group.rank() == 0;
  open_run(run, config_in, options);
  const RunConfig& config = run.config;
  TrainingState& state = run.state;
  const LoopSettings settings = loop_settings(config, options, state.step, group.world_size());
  if (options.on_start)
    options.on_start({run.model->parameter_count(), group.world_size(), config.training.dtype,
                      config.model.custom_G_type, run.resumed, settings.first_step, settings.last_step,
                      run.adamw->sharded(), int64_t(run.adamw->moment_bytes())});

  const ag::AutocastGuard precision(
      ag::precision_from_name(config.training.precision));  // forwards, backwards, validation
  LoopState loop;
  loop.start = loop.window_start = Clock::now();
  loop.first_step = settings.first_step;
  bool interrupted = false;
  while (state.step < settings.last_step && !interrupted) {
    const int64_t step = state.step;
    const uint64_t step_epoch = state.data_epoch;  // the data epoch this step's batches come from
    const double lr = settings.schedule.lr(step);
    StepSettings step_settings = settings.step_settings;
    step_settings.deductive_stats = step_settings.deductive_stats && logs_after(config, step + 1, settings.last_step);
    const StepResult r = run_step(run, step_settings, lr);
    advance_state(run, step, settings.tokens_per_step);
    add_to_averages(run, loop, r, step, step_epoch, settings.tokens_per_step);

    const bool last = state.step == settings.last_step;
    const bool eval_now = validate_if_due(run, loop, settings.last_step);
    if (logs_after(config, state.step, settings.last_step))
      end_window(run, settings, loop, options, r, lr, eval_now, last);
    interrupted = !last && stop_requested(run, options);
    checkpoint_if_due(run, last || interrupted);
  }
  TrainSummary summary = summary_of(run, loop);
  summary.interrupted = interrupted;
  summary.peak_memory_mib = peak_memory_per_rank(group);
  return summary;
}

}  // namespace

TrainSummary train(const RunConfig& config, const TrainOptions& options) {
  std::unique_ptr<dist::ProcessGroup> single;
  dist::ProcessGroup* group = options.group;
  if (!group) group = (single = dist::single_process_group()).get();
  try {
    return train_ranks(config, options, *group);
  } catch (const std::exception& e) {
    group->abort(e.what());  // the other ranks report this rather than "rank N lost"
    throw;
  }
}

}  // namespace pldr
