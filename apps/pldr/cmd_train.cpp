// pldr train --config RUN.json [section.key=value ...] | --resume CKPT [--stop-after N] [--quiet]
#include <cstdio>
#include <iostream>

#include "apps/pldr/commands.h"
#include "apps/pldr/flags.h"
#include "pldr/trainer.h"

namespace pldr::cli {

int train(const Args& args) {
  const Flags flags(args, {"config", "resume", "stop-after"}, {"quiet"});
  TrainOptions options;
  options.resume_from = flags.get("resume", "");
  options.stop_after = flags.get_int("stop-after", -1);
  options.quiet = flags.on("quiet");
  RunConfig config;
  if (options.resume_from.empty()) {
    nlohmann::json j = RunConfig::read_json_file(flags.require("config"));
    for (const std::string& assignment : flags.positionals()) RunConfig::apply_override(j, assignment);
    config = RunConfig::from_json(j);
  } else if (flags.has("config") || !flags.positionals().empty()) {
    throw UsageError("--resume continues the checkpoint's own configuration; drop --config and overrides");
  }
  const TrainSummary s = train(config, options);
  std::printf("trained %ld steps in %.1f s; last training loss %.4f", long(s.steps), s.seconds, s.last_loss);
  if (s.val_loss > 0) std::printf("; validation loss %.4f, accuracy %.3f", s.val_loss, s.val_accuracy);
  if (s.val_bits_per_char > 0) std::printf(", %.3f bits per character", s.val_bits_per_char);
  std::printf("\ncheckpoint: %s\n", s.checkpoint.c_str());
  return 0;
}

}  // namespace pldr::cli
