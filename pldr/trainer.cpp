#include "pldr/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "autograd/autocast.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "data/corpus_meta.h"
#include "data/sample_loader.h"
#include "data/token_file.h"
#include "data/tokenizer.h"
#include "optim/clipping.h"
#include "optim/schedule.h"
#include "pldr/checkpoint.h"
#include "pldr/losses.h"
#include "tensor/creation.h"
#ifdef _OPENMP
#include <omp.h>
#endif

namespace pldr {

namespace {

using Clock = std::chrono::steady_clock;

data::SampleLoader make_loader(const std::string& path, const RunConfig& c, bool shuffle) {
  auto tokens = std::make_shared<data::TokenFile>(path);
  if (tokens->vocab_size() > static_cast<uint64_t>(c.model.vocab_size))
    throw std::runtime_error("token file " + path + " has vocabulary " + std::to_string(tokens->vocab_size()) +
                             ", the model only " + std::to_string(c.model.vocab_size));
  data::LoaderOptions o;
  o.context = static_cast<uint64_t>(c.data.context);
  o.batch_size = static_cast<uint64_t>(c.data.batch_size);
  o.mode = data::parse_pack_mode(c.data.packing);
  o.eos_id = static_cast<int32_t>(c.model.eos_token_id);
  o.shuffle = shuffle;
  o.seed = c.seed;
  return data::SampleLoader(tokens, o);
}

// One batch as input [B, S] and target [B, S] (S = context).
struct Example {
  Tensor input, target;
};
Example to_example(const data::Batch& b) {
  const int64_t B = static_cast<int64_t>(b.batch_size), L = static_cast<int64_t>(b.sample_length);
  const Tensor t = from_vector(b.tokens, {B, L});
  return {t.slice(1, 0, L - 1).contiguous(), t.slice(1, 1, L).contiguous()};
}

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", long(s / 3600), long(s % 3600 / 60));
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", long(s / 60), long(s % 60));
  return buf;
}

// Averages over a window of steps (running) and over the whole run (global).
struct Average {
  double sum = 0;
  int64_t count = 0;
  void add(double v) { sum += v, ++count; }
  double mean() const { return count ? sum / double(count) : 0.0; }
};

struct Validation {
  double loss = 0, accuracy = 0, bits_per_char = 0;
};

}  // namespace

TrainSummary train(const RunConfig& config_in, const TrainOptions& options) {
  // ---- set-up: model, optimiser, data, output folder ----
  std::optional<LoadedCheckpoint> resumed;
  if (!options.resume_from.empty()) resumed = load_checkpoint(options.resume_from);
  const RunConfig config = resumed ? resumed->config : config_in;
  config.validate();
#ifdef _OPENMP
  if (config.training.threads > 0) omp_set_num_threads(static_cast<int>(config.training.threads));
#endif
  const DType dtype = dtype_from_name(config.training.dtype);
  std::filesystem::create_directories(config.out_dir);
  const std::string checkpoint_path = config.out_dir + "/checkpoint.h5";
  {
    std::ofstream out(config.out_dir + "/run_config.json");
    out << config.to_json().dump(2) << "\n";
  }

  TrainingState state;
  std::unique_ptr<PldrModel> model;
  if (resumed) {
    model = std::move(resumed->model);
    state = resumed->state;
  } else {
    model = std::make_unique<PldrModel>(config.model, dtype);
    model->initialize(config.seed);
    if (config.model.custom_G_type == GType::External)
      model->predefined_G = load_external_G(config.external_G.file, config.external_G.group, config.model, dtype);
    if (!config.tokenizer.empty()) state.tokenizer_identity = data::Tokenizer::load(config.tokenizer).identity();
  }

  std::optional<data::CorpusMeta> meta;
  if (!config.data.meta.empty()) {
    meta = data::read_corpus_meta(config.data.meta);
    if (!state.tokenizer_identity.empty() && meta->tokenizer_identity != state.tokenizer_identity)
      throw std::runtime_error("data " + config.data.meta + " was prepared with tokenizer " + meta->tokenizer_identity +
                               ", the run uses " + state.tokenizer_identity);
  }

  optim::AdamW adamw(model->parameters(), {config.optimizer.beta1, config.optimizer.beta2, config.optimizer.eps,
                                           config.optimizer.weight_decay});
  if (resumed) load_optimizer_state(options.resume_from, *model, adamw);
  const optim::WarmupCosine schedule{config.optimizer.lr, config.schedule.warmup_steps, config.training.steps, config.schedule.alpha};

  data::SampleLoader train_loader = make_loader(config.data.train, config, config.data.shuffle);
  train_loader.seek({state.data_epoch, state.data_index});
  std::optional<data::SampleLoader> val_loader;
  if (!config.data.val.empty()) val_loader.emplace(make_loader(config.data.val, config, false));

  std::ofstream metrics(config.out_dir + "/metrics.jsonl", resumed ? std::ios::app : std::ios::trunc);
  if (!metrics) throw std::runtime_error("cannot write " + config.out_dir + "/metrics.jsonl");

  // ---- validation: the same first batches every time, no tape ----
  auto validate = [&]() {
    Validation v;
    if (!val_loader) return v;
    ag::NoGradGuard no_grad;
    val_loader->seek({0, 0});
    const int64_t batches = std::min<int64_t>(config.training.eval_batches, int64_t(val_loader->batches_per_epoch()));
    Average loss, acc;
    for (int64_t i = 0; i < batches; ++i) {
      const Example ex = to_example(val_loader->next());
      const LanguageModelLoss l = masked_cross_entropy(model->forward(ex.input).logits, ex.target);
      loss.add(l.loss.item());
      acc.add(l.accuracy);
    }
    v.loss = loss.mean();
    v.accuracy = acc.mean();
    if (meta && meta->splits.count("val") && meta->splits.at("val").text_chars > 0) {
      const data::SplitStats& s = meta->splits.at("val");
      v.bits_per_char = v.loss / std::log(2.0) * double(s.tokens) / double(s.text_chars);
    }
    return v;
  };

  if (!options.quiet)
    std::fprintf(stderr, "model: %ld parameters (%s, G %s); %s from step %ld to %ld\n", long(model->parameter_count()),
                 config.training.dtype.c_str(), g_type_name(config.model.custom_G_type), resumed ? "resuming" : "training",
                 long(state.step), long(options.stop_after >= 0 ? std::min(options.stop_after, config.training.steps) : config.training.steps));

  // ---- the loop ----
  const ag::AutocastGuard precision(ag::precision_from_name(config.training.precision));  // forwards, backwards, validation
  const int64_t last_step = options.stop_after >= 0 ? std::min(options.stop_after, config.training.steps) : config.training.steps;
  const bool tty = isatty(STDERR_FILENO);
  const auto start = Clock::now();
  auto window_start = start;
  int64_t window_tokens = 0;
  Average running_loss, running_acc, global_loss, global_acc;
  Validation last_val;
  double last_logged_loss = 0;
  TrainSummary summary;
  std::vector<ag::Variable> params = model->parameters();
  const int64_t tokens_per_step = config.data.batch_size * config.data.context * config.data.grad_accum;
  const int64_t first_step = state.step;

  while (state.step < last_step) {
    const int64_t step = state.step;
    const double lr = schedule.lr(step);
    double step_loss = 0, step_acc = 0;
    std::array<double, 3> dag_values{0, 0, 0};
    for (int64_t micro = 0; micro < config.data.grad_accum; ++micro) {
      const Example ex = to_example(train_loader.next());
      const ForwardResult r = model->forward(ex.input);
      const LanguageModelLoss ce = masked_cross_entropy(r.logits, ex.target);
      ag::Variable total = ce.loss;
      std::array<double, 3> dag_now{0, 0, 0};
      if (config.model.custom_G_type == GType::Learned) {
        const DagLoss dag = dag_loss(r.layers, config.dag);
        if (dag.weighted.defined()) total = ag::add(total, dag.weighted);
        dag_now = {dag.A_LM.item(), dag.Ap.item(), dag.G_LM.item()};
        for (size_t i = 0; i < 3; ++i) dag_values[i] += dag_now[i];
      }
      const double value = total.item();
      if (!std::isfinite(value)) {
        char parts[160];
        std::snprintf(parts, sizeof parts, " (cross-entropy %g, DAG terms A_LM %g, Ap %g, G_LM %g)", ce.loss.item(), dag_now[0],
                      dag_now[1], dag_now[2]);
        throw std::runtime_error("training diverged: the loss is " + std::to_string(value) + parts + " at step " +
                                 std::to_string(step + 1) + "; parameters were not updated. The last good checkpoint, if any, is " +
                                 checkpoint_path);
      }
      ag::mul_scalar(total, 1.0 / double(config.data.grad_accum)).backward();
      step_loss += ce.loss.item() / double(config.data.grad_accum);
      step_acc += ce.accuracy / double(config.data.grad_accum);
    }
    for (double& d : dag_values) d /= double(config.data.grad_accum);
    if (config.optimizer.clip_value > 0) optim::clip_grad_value(params, config.optimizer.clip_value);
    const double grad_norm = config.optimizer.clip_norm > 0 ? optim::clip_grad_norm(params, config.optimizer.clip_norm)
                                                            : optim::grad_norm(params);
    adamw.step(lr);
    adamw.zero_grad();

    state.step = step + 1;
    state.tokens_seen += tokens_per_step;
    const data::LoaderPosition pos = train_loader.position();
    state.data_epoch = pos.epoch;
    state.data_index = pos.index;
    window_tokens += tokens_per_step;
    running_loss.add(step_loss);
    running_acc.add(step_acc);
    global_loss.add(step_loss);
    global_acc.add(step_acc);

    const bool last = state.step == last_step;
    const bool eval_now = config.training.eval_every > 0 && (state.step % config.training.eval_every == 0 || last);
    if (eval_now) {
      const auto eval_start = Clock::now();
      last_val = validate();
      window_start += Clock::now() - eval_start;  // tokens/s counts training time only
    }
    if (state.step % config.training.log_every == 0 || last || eval_now) {
      const auto now = Clock::now();
      const double window_s = std::chrono::duration<double>(now - window_start).count();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      const double tokens_per_s = window_s > 0 ? double(window_tokens) / window_s : 0;
      const double eta = double(last_step - state.step) * elapsed / double(state.step - first_step);
      nlohmann::json line{{"step", state.step}, {"loss", running_loss.mean()}, {"accuracy", running_acc.mean()},
                          {"global_loss", global_loss.mean()}, {"global_accuracy", global_acc.mean()}, {"lr", lr},
                          {"grad_norm", grad_norm}, {"tokens_per_s", tokens_per_s}, {"tokens_seen", state.tokens_seen},
                          {"elapsed_s", elapsed}};
      if (config.model.custom_G_type == GType::Learned) {
        line["dag_A_LM"] = dag_values[0];
        line["dag_Ap"] = dag_values[1];
        line["dag_G_LM"] = dag_values[2];
      }
      if (eval_now && val_loader) {
        line["val_loss"] = last_val.loss;
        line["val_accuracy"] = last_val.accuracy;
        if (last_val.bits_per_char > 0) line["val_bits_per_char"] = last_val.bits_per_char;
      }
      metrics << line.dump() << "\n" << std::flush;
      if (!options.quiet) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "step %ld/%ld | loss %.4f | acc %.3f | lr %.2e | |g| %.3f | %.0f tok/s | ETA %s",
                      long(state.step), long(last_step), running_loss.mean(), running_acc.mean(), lr, grad_norm, tokens_per_s,
                      format_duration(eta).c_str());
        std::string text = buf;
        if (eval_now && val_loader) {
          std::snprintf(buf, sizeof buf, " | val %.4f", last_val.loss);
          text += buf;
          if (last_val.bits_per_char > 0) {
            std::snprintf(buf, sizeof buf, " (%.3f bits/char)", last_val.bits_per_char);
            text += buf;
          }
        }
        // On a terminal the line is rewritten in place, except at validations, which stay.
        std::fprintf(stderr, tty ? "\r%s\033[K%s" : "%s%s", text.c_str(), (tty && !eval_now && !last) ? "" : "\n");
        std::fflush(stderr);
      }
      last_logged_loss = running_loss.mean();
      running_loss = running_acc = Average{};
      window_start = now;
      window_tokens = 0;
    }
    if (last || (config.training.checkpoint_every > 0 && state.step % config.training.checkpoint_every == 0))
      save_checkpoint(checkpoint_path, config, *model, &adamw, state);
  }

  summary.steps = state.step;
  summary.last_loss = last_logged_loss;
  summary.val_loss = last_val.loss;
  summary.val_accuracy = last_val.accuracy;
  summary.val_bits_per_char = last_val.bits_per_char;
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.checkpoint = checkpoint_path;
  return summary;
}

}  // namespace pldr
