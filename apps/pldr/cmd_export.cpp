// pldr export CKPT -o DIR: a checkpoint as a Hugging Face PLDR-LLM folder (config.json,
// model.safetensors in float32, tokenizer.model). Fails when the tokenizer cannot be found.
#include <cstdio>
#include <filesystem>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/output_check.h"
#include "apps/pldr/tokenizer_lookup.h"
#include "data/tokenizer.h"
#include "interop/hf_export.h"
#include "train/checkpoint.h"

namespace pldr::cli {

const CommandSpec& export_spec() {
  static const CommandSpec spec{
      .name = "export",
      .synopsis = "CKPT -o DIR",
      .summary = "a checkpoint as a Hugging Face folder",
      .flags =
          {{"output", "DIR", "", "the folder to write", {"-o"}},
           {"without-tokenizer", "", "", "export a model that has no tokenizer (else that is an error)", {}},
           {"tokenizer", "MODEL", "the checkpoint's", "the tokenizer to include (it must be the checkpoint's)", {}},
           threads_flag()},
      .positionals = "one checkpoint",
      .min_positionals = 1,
      .max_positionals = 1};
  return spec;
}

int cmd_export(const Args& args) {
  const Flags flags(args, export_spec());
  const std::string dir = flags.require("output"), checkpoint = flags.positionals()[0];
  const LoadedCheckpoint c = load_checkpoint(checkpoint);
  // The folder is useless without its tokenizer: found (and checked) before anything is written.
  if (flags.on("without-tokenizer") && flags.has("tokenizer"))
    throw UsageError("give --tokenizer or --without-tokenizer, not both");
  const std::string tokenizer =
      flags.on("without-tokenizer") ? ""
      : flags.has("tokenizer")      ? flags.get("tokenizer", "")
                               : find_checkpoint_tokenizer(checkpoint, c.config.tokenizer, c.state.tokenizer_identity);
  const std::string identity = tokenizer.empty() ? "" : data::Tokenizer::load(tokenizer).identity();
  if (!tokenizer.empty() && !c.state.tokenizer_identity.empty() && identity != c.state.tokenizer_identity)
    throw std::runtime_error("tokenizer " + tokenizer + " (" + identity +
                             ") is not the one the checkpoint was trained with (" + c.state.tokenizer_identity + ")");
  check_can_write_into(dir, "--output");
  interop::export_hf_folder(*c.model, dir, tokenizer);
  std::printf("wrote %s/config.json, model.safetensors (%zu parameter tensors, float32)%s\n", dir.c_str(),
              c.model->named_parameters().size(), tokenizer.empty() ? ", no tokenizer" : ", tokenizer.model");
  return 0;
}

}  // namespace pldr::cli
