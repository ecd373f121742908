// pldr export CKPT -o DIR: a checkpoint as a Hugging Face PLDR-LLM folder (config.json,
// model.safetensors in float32, tokenizer.model when the checkpoint names one that exists).
#include <cstdio>
#include <filesystem>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "interop/hf_export.h"
#include "train/checkpoint.h"

namespace pldr::cli {

int cmd_export(const Args& args) {
  const Flags flags(args, {"output"}, {});
  if (flags.positionals().size() != 1) throw UsageError("give one checkpoint");
  const std::string dir = flags.require("output");
  const LoadedCheckpoint c = load_checkpoint(flags.positionals()[0]);
  const std::string& tokenizer = c.config.tokenizer;
  const bool with_tokenizer = !tokenizer.empty() && std::filesystem::exists(tokenizer);
  interop::export_hf_folder(*c.model, dir, with_tokenizer ? tokenizer : "");
  std::printf("wrote %s/config.json, model.safetensors (%zu parameter tensors, float32)%s\n", dir.c_str(),
              c.model->named_parameters().size(),
              with_tokenizer ? ", tokenizer.model"
                             : (tokenizer.empty() ? "; the checkpoint names no tokenizer"
                                                  : ("; tokenizer " + tokenizer + " not found"))
                                   .c_str());
  return 0;
}

}  // namespace pldr::cli
