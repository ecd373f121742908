// pldr transfer --checkpoint CKPT --G FILE -o NEW.h5 (flags: transfer_spec): the v510Gi
// transfer (train/g_transfer.h). Writes a step-0 checkpoint of the trained model's weights without
// its metric learner, with the G of FILE (`pldr inspect`'s output, or paper_G_LM.h5 with
// --group learned_PLDRv51_110M_1) as predefined G and fresh AdamW moments; continue it with
// `pldr train --resume NEW.h5`. Its run configuration is the checkpoint's with custom_G_type
// external, the DAG terms off and out_dir DIR (default: the checkpoint's out_dir + "_v510Gi").
#include <cstdio>
#include <filesystem>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/output_check.h"
#include "train/checkpoint.h"
#include "train/g_transfer.h"

namespace pldr::cli {

const CommandSpec& transfer_spec() {
  static const CommandSpec spec{
      .name = "transfer",
      .synopsis = "--checkpoint CKPT --G FILE -o NEW.h5 [--group G_LM] [--out-dir DIR]",
      .summary = "v510Gi: the weights without the metric learner, on a fixed G",
      .flags = {{"checkpoint", "CKPT", "", "a trained model with a learned G", {}},
                {"G", "FILE", "", "the G: pldr inspect's output, or paper_G_LM.h5 with --group", {}},
                {"group", "NAME", "G_LM", "the group of FILE holding layer{i}", {}},
                {"output", "NEW.h5", "", "the step-0 checkpoint to write", {"-o"}},
                {"out-dir", "DIR", "the checkpoint's out_dir + _v510Gi", "out_dir of the new run", {}},
                threads_flag()}};
  return spec;
}

int cmd_transfer(const Args& args) {
  const Flags flags(args, transfer_spec());
  const std::string out = flags.require("output"), g_file = flags.require("G"), group = flags.get("group", "G_LM");
  check_can_write(out, "--output");
  const LoadedCheckpoint trained = load_checkpoint(flags.require("checkpoint"));
  if (trained.config.model.custom_G_type != GType::Learned)
    throw UsageError("--checkpoint must be a model with a learned G");
  RunConfig config = trained.config;
  const DType dtype = trained.model->dtype();
  auto model = transfer_to_predefined_G(*trained.model, load_external_G(g_file, group, config.model, dtype));
  config.model = model->config();
  // Stored absolute, as a training run stores its paths: the checkpoint resumes from any folder.
  config.external_G = {std::filesystem::absolute(g_file).lexically_normal().string(), group};
  config.dag = {0, 0, 0};
  config.out_dir =
      std::filesystem::absolute(flags.get("out-dir", config.out_dir + "_v510Gi")).lexically_normal().string();
  config.validate();
  const optim::AdamW adamw(model->parameters(), {config.optimizer.beta1, config.optimizer.beta2, config.optimizer.eps,
                                                 config.optimizer.weight_decay});
  TrainingState state;
  state.tokenizer_identity = trained.state.tokenizer_identity;
  save_checkpoint(out, config, *model, &adamw, state);
  std::printf(
      "wrote %s: %zu parameter tensors of %zu (no metric learner), G from %s/%s; continue with pldr train --resume "
      "%s\n",
      out.c_str(), model->named_parameters().size(), trained.model->named_parameters().size(), g_file.c_str(),
      group.c_str(), out.c_str());
  return 0;
}

}  // namespace pldr::cli
