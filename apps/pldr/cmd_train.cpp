// pldr train --config RUN.json [section.key=value ...] | --resume CKPT [training.steps=N]: see train_spec.
// One rank, or one of several when the environment names a rank (RANK/WORLD_SIZE or Slurm's),
// or N local ranks with --nproc (restarted from the last checkpoint after a rank dies, with
// --max-restarts K). Only rank 0 prints. SIGINT and SIGTERM stop the run after the
// current step with a checkpoint of it.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/launch_ranks.h"
#include "dist/process_group.h"
#include "train/checkpoint.h"
#include "train/run_config_paths.h"
#include "train/trainer.h"

namespace pldr::cli {

namespace {

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", long(s / 3600), long(s % 3600 / 60));
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", long(s / 60), long(s % 60));
  return buf;
}

void print_progress(const TrainProgress& p, bool tty) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "step %ld/%ld | loss %.4f | acc %.3f | lr %.2e | |g| %.3f | %.0f tok/s | ETA %s",
                long(p.step), long(p.last_step), p.loss, p.accuracy, p.lr, p.grad_norm, p.tokens_per_s,
                format_duration(p.eta_s).c_str());
  std::string text = buf;
  if (p.validated) {
    std::snprintf(buf, sizeof buf, " | val %.4f", p.val_loss);
    text += buf;
    if (p.val_bits_per_char > 0) {
      std::snprintf(buf, sizeof buf, " (%.3f bits/char)", p.val_bits_per_char);
      text += buf;
    }
  }
  // On a terminal the line is rewritten in place, except at validations, which stay.
  std::fprintf(stderr, tty ? "\r%s\033[K%s" : "%s%s", text.c_str(), (tty && !p.validated && !p.final) ? "" : "\n");
  std::fflush(stderr);
}

std::atomic<bool> stop_signal_seen{false};
volatile std::sig_atomic_t stop_signal = 0;

// The first SIGINT or SIGTERM asks the trainer to stop after the current step; a second one ends
// the program at once (the handler is reset to the default).
extern "C" void request_stop(int signal) {
  stop_signal = signal;
  stop_signal_seen = true;
  static const char message[] = "\npldr train: stopping after this step, with a checkpoint (again to abort)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
  std::signal(signal, SIG_DFL);
}

// The run configuration of --config with the overrides; its paths resolve against the file's
// folder, the overrides' against the current one.
RunConfig read_run_config(const Flags& flags) {
  const std::string path = flags.require("config");
  nlohmann::json j = RunConfig::read_json_file(path);  // its paths resolved against its folder
  for (const std::string& assignment : flags.positionals()) RunConfig::apply_override(j, assignment);
  resolve_run_config_paths(j, std::filesystem::current_path());
  return RunConfig::from_json(j);
}

// A fresh run does not replace another's checkpoint and metrics without --overwrite.
void check_out_dir_is_free(const RunConfig& config, bool overwrite) {
  if (overwrite) return;
  for (const char* file : {"checkpoint.h5", "metrics.jsonl"}) {
    const std::filesystem::path p = std::filesystem::path(config.out_dir) / file;
    if (std::filesystem::exists(p))
      throw std::runtime_error("out_dir " + config.out_dir + " holds a run (" + file + "): continue it with --resume " +
                               config.out_dir +
                               "/checkpoint.h5, write elsewhere with out_dir=DIR, or replace it with --overwrite");
  }
}

// On a resume the overrides are training.steps=N, which extends the run, and
// training.shard_optimizer=true|false.
void read_resume_overrides(const Flags& flags, TrainOptions& options) {
  if (flags.has("config")) throw UsageError("--resume continues the checkpoint's own configuration; drop --config");
  for (const std::string& assignment : flags.positionals()) {
    const std::string steps = "training.steps=", shard = "training.shard_optimizer=";
    if (assignment.rfind(shard, 0) == 0) {
      const std::string value = assignment.substr(shard.size());
      if (value != "true" && value != "false")
        throw UsageError(assignment + ": training.shard_optimizer is true or false");
      options.shard_optimizer = value == "true";
      continue;
    }
    if (assignment.rfind(steps, 0) != 0)
      throw UsageError(
          "--resume continues the checkpoint's own configuration: the only override is training.steps=N (and "
          "training.shard_optimizer=true|false), not " +
          assignment);
    try {
      size_t used = 0;
      options.extend_to_steps = std::stoll(assignment.substr(steps.size()), &used);
      if (used != assignment.size() - steps.size() || options.extend_to_steps <= 0)
        throw std::invalid_argument(assignment);
    } catch (const std::exception&) {
      throw UsageError(assignment + ": training.steps must be a positive integer");
    }
  }
}

void print_summary(const TrainSummary& s) {
  const int64_t done = s.steps - s.first_step;
  std::printf("trained %ld step%s", long(done), done == 1 ? "" : "s");
  if (s.first_step > 0 && done == 1) std::printf(" (step %ld)", long(s.steps));
  else if (s.first_step > 0) std::printf(" (steps %ld to %ld)", long(s.first_step + 1), long(s.steps));
  std::printf(" in %.1f s; last training loss %.4f", s.seconds, s.last_loss);
  if (s.val_loss > 0) std::printf("; validation loss %.4f, accuracy %.3f", s.val_loss, s.val_accuracy);
  if (s.val_bits_per_char > 0) std::printf(", %.3f bits per character", s.val_bits_per_char);
  std::printf("\ncheckpoint: %s (step %ld)\n", s.checkpoint.c_str(), long(s.steps));
  std::printf("peak memory per rank (VmHWM):");
  for (size_t r = 0; r < s.peak_memory_mib.size(); ++r) std::printf("%s %.1f", r == 0 ? "" : ",", s.peak_memory_mib[r]);
  std::printf(" MiB\n");
}

// A file's identity (inode and modification time); all zero when it does not exist. A checkpoint
// saved anew (written to a temporary file, then renamed over the old one) has another.
std::array<int64_t, 3> file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {0, 0, 0};
  return {int64_t(st.st_ino), int64_t(st.st_mtim.tv_sec), int64_t(st.st_mtim.tv_nsec)};
}

// --max-restarts: a failed attempt resumes from the run's checkpoint, <out_dir>/checkpoint.h5, once
// this launch has saved one (its identity differs from the file's at the launch, which may be an
// earlier run's); before that, the first attempt's arguments start again (from the beginning, or
// from the checkpoint that --resume named).
Restarts restarts_of(const Flags& flags, const TrainOptions& options, const RunConfig& config,
                     const Args& first_attempt) {
  Restarts r;
  r.max = int(flags.get_int("max-restarts", 0));
  if (r.max == 0) return r;
  const std::string out_dir =
      options.resume_from.empty() ? config.out_dir : read_checkpoint_header(options.resume_from).config.out_dir;
  const std::string checkpoint = out_dir + "/checkpoint.h5";
  Args resume_args{"train", "--resume", checkpoint};
  if (flags.on("quiet")) resume_args.push_back("--quiet");
  if (options.stop_after > 0)
    resume_args.insert(resume_args.end(), {"--stop-after", std::to_string(options.stop_after)});
  if (options.extend_to_steps > 0) resume_args.push_back("training.steps=" + std::to_string(options.extend_to_steps));
  if (options.shard_optimizer)
    resume_args.push_back(std::string("training.shard_optimizer=") + (*options.shard_optimizer ? "true" : "false"));
  r.resume = [checkpoint, resume_args, first_attempt, launched = file_identity(checkpoint),
              original = options.resume_from]() -> Restarts::Attempt {
    const std::string& from = file_identity(checkpoint) != launched ? checkpoint : original;
    if (from.empty()) return {first_attempt, "the start (no checkpoint saved yet)"};
    const std::string where = from + " (step " + std::to_string(read_checkpoint_header(from).state.step) + ")";
    return {from == checkpoint ? resume_args : first_attempt, where};
  };
  return r;
}

}  // namespace

const CommandSpec& train_spec() {
  static const CommandSpec spec{
      .name = "train",
      .synopsis =
          "--config RUN.json [section.key=value ...] | --resume CKPT [training.steps=N] "
          "[training.shard_optimizer=B]",
      .summary = "train a PLDR-LLM (or continue a run)",
      .flags = {{"config", "RUN.json", "", "the run configuration; its relative paths resolve against its folder", {}},
                {"resume", "CKPT", "", "continue the run of this checkpoint", {}},
                {"stop-after", "N", "training.steps", "stop after step N (a later --resume continues)", {}},
                {"overwrite", "", "", "replace the run already in out_dir (refused without it)", {}},
                {"nproc", "N", "1", "data-parallel ranks on this machine", {"--nproc_per_node"}},
                {"max-restarts",
                 "K",
                 "0",
                 "with --nproc: after a rank dies, restart every rank from the last checkpoint, up to K times",
                 {}},
                {"quiet", "", "", "print only the summary", {}},
                threads_flag()},
      .positionals = "section.key=value overrides",
      .min_positionals = 0,
      .max_positionals = SIZE_MAX,
      .overrides_as_flags = true,
      .notes =
          "Overrides: section.key=value or --section.key=value (out_dir=DIR, training.steps=N, ...).\n"
          "--resume CKPT training.steps=N extends a finished run to N steps; the cosine schedule is then that of an "
          "N-step run.\nSIGINT or SIGTERM saves a checkpoint at the current step and exits with 128 + the signal."};
  return spec;
}

int cmd_train(const Args& args) {
  const Flags flags(args, train_spec());
  const int64_t nproc = flags.get_int("nproc", 1);
  if (nproc < 1 || nproc > 1024) throw UsageError("--nproc must be between 1 and 1024");
  TrainOptions options;
  options.resume_from = flags.get("resume", "");
  options.stop_after = flags.get_int("stop-after", -1);
  if (flags.has("stop-after") && options.stop_after <= 0) throw UsageError("--stop-after must be positive");
  RunConfig config;
  if (options.resume_from.empty()) {
    config = read_run_config(flags);
    check_out_dir_is_free(config, flags.on("overwrite"));  // before any rank starts
  } else {
    read_resume_overrides(flags, options);
  }
  const int64_t max_restarts = flags.get_int("max-restarts", 0);
  if (max_restarts < 0 || max_restarts > 1000000) throw UsageError("--max-restarts must be between 0 and 1000000");
  if (max_restarts > 0 && nproc == 1)
    throw UsageError("--max-restarts restarts the ranks that --nproc N starts: give --nproc N (N > 1)");
  if (nproc > 1) {
    if (dist::rendezvous_from_environment())
      throw UsageError("--nproc starts its own ranks: drop it where RANK/WORLD_SIZE or Slurm set them");
    Args rank_args{"train", "--overwrite"};  // checked above; a rank would find rank 0's new files
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--nproc" || a == "--nproc_per_node" || a == "--max-restarts") ++i;
      else if (a.rfind("--nproc=", 0) != 0 && a.rfind("--nproc_per_node=", 0) != 0 &&
               a.rfind("--max-restarts=", 0) != 0 && a != "--overwrite")
        rank_args.push_back(a);
    }
    return launch_ranks(int(nproc), rank_args, restarts_of(flags, options, config, rank_args));
  }
  const std::unique_ptr<dist::ProcessGroup> group = dist::group_from_environment();
  options.group = group.get();
  const bool rank0 = group->rank() == 0;
  if (rank0 && !flags.on("quiet")) {
    options.on_start = [](const TrainStart& s) {
      std::fprintf(stderr, "model: %ld parameters (%s, G %s); %s from step %ld to %ld", long(s.parameters),
                   s.dtype.c_str(), g_type_name(s.g_type), s.resuming ? "resuming" : "training", long(s.first_step),
                   long(s.last_step));
      if (s.world_size > 1) std::fprintf(stderr, " on %d ranks", s.world_size);
      std::fprintf(stderr, "; AdamW moments %.3f MiB on rank 0%s\n", double(s.moment_bytes) / (1 << 20),
                   s.sharded_optimizer ? " (its shard)" : "");
    };
    options.on_progress = [tty = bool(isatty(STDERR_FILENO))](const TrainProgress& p) { print_progress(p, tty); };
  }
  options.stop_requested = &stop_signal_seen;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  const TrainSummary s = train(config, options);
  if (!rank0) return s.interrupted ? 128 + int(stop_signal) : 0;
  print_summary(s);
  if (s.interrupted) {
    std::printf("stopped by %s after step %ld: continue with pldr train --resume %s\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM", long(s.steps), s.checkpoint.c_str());
    return 128 + int(stop_signal);
  }
  return 0;
}

}  // namespace pldr::cli
