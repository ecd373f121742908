// pldr train --config RUN.json [section.key=value ...] | --resume CKPT [--stop-after N] [--quiet]
//            [--nproc N]
// One rank, or one of several when the environment names a rank (RANK/WORLD_SIZE or Slurm's),
// or N local ranks with --nproc. Only rank 0 prints.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/launch_ranks.h"
#include "dist/process_group.h"
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

}  // namespace

int cmd_train(const Args& args) {
  const Flags flags(args, {"config", "resume", "stop-after", "nproc"}, {"quiet"});
  const int64_t nproc = flags.get_int("nproc", 1);
  if (nproc < 1 || nproc > 1024) throw UsageError("--nproc must be between 1 and 1024");
  if (nproc > 1) {
    if (dist::rendezvous_from_environment())
      throw UsageError("--nproc starts its own ranks: drop it where RANK/WORLD_SIZE or Slurm set them");
    Args rank_args{"train"};
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--nproc") ++i;
      else if (args[i].rfind("--nproc=", 0) != 0) rank_args.push_back(args[i]);
    }
    return launch_ranks(int(nproc), rank_args);
  }
  TrainOptions options;
  options.resume_from = flags.get("resume", "");
  options.stop_after = flags.get_int("stop-after", -1);
  RunConfig config;
  if (options.resume_from.empty()) {
    nlohmann::json j = RunConfig::read_json_file(flags.require("config"));
    for (const std::string& assignment : flags.positionals()) RunConfig::apply_override(j, assignment);
    config = RunConfig::from_json(j);
  } else if (flags.has("config") || !flags.positionals().empty()) {
    throw UsageError("--resume continues the checkpoint's own configuration; drop --config and overrides");
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
      std::fprintf(stderr, "\n");
    };
    options.on_progress = [tty = bool(isatty(STDERR_FILENO))](const TrainProgress& p) { print_progress(p, tty); };
  }
  const TrainSummary s = train(config, options);
  if (!rank0) return 0;
  std::printf("trained %ld steps in %.1f s; last training loss %.4f", long(s.steps), s.seconds, s.last_loss);
  if (s.val_loss > 0) std::printf("; validation loss %.4f, accuracy %.3f", s.val_loss, s.val_accuracy);
  if (s.val_bits_per_char > 0) std::printf(", %.3f bits per character", s.val_bits_per_char);
  std::printf("\ncheckpoint: %s\n", s.checkpoint.c_str());
  return 0;
}

}  // namespace pldr::cli
