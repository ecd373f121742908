// pldr convert --hf DIR -o MODEL.h5: a Hugging Face folder as a checkpoint (no optimiser state,
// step 0) that every --checkpoint command reads. Flags: convert_spec.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "apps/pldr/output_check.h"

namespace pldr::cli {

namespace {

// A checkpoint's run configuration must validate as a training run's. A converted model has no
// run: the data fields name the source folder (a fine-tuning run gives its own token files) and
// the context is the default capped by the model's positions; an external G is the folder's.
void fill_training_fields(RunConfig& config, const std::string& hf_dir) {
  config.data.train = hf_dir;
  config.data.context = std::min<int64_t>(config.data.context, config.model.max_position_embeddings - 1);
  if (config.model.custom_G_type == GType::External) config.external_G.file = hf_dir;
  config.out_dir = "runs/" + std::filesystem::path(hf_dir).filename().string();
}

}  // namespace

const CommandSpec& convert_spec() {
  static const CommandSpec spec{
      .name = "convert",
      .synopsis = "--hf DIR -o MODEL.h5 [--dtype float32|float64]",
      .summary = "a Hugging Face folder as a checkpoint",
      .flags = {{"hf", "DIR", "", "the Hugging Face PLDR-LLM folder", {}},
                {"output", "MODEL.h5", "", "the checkpoint to write", {"-o"}},
                {"dtype", "float32|float64", "float32", "the checkpoint's dtype", {}},
                {"tokenizer", "MODEL", "the folder's tokenizer.model", "the tokenizer the checkpoint records", {}},
                threads_flag()}};
  return spec;
}

int cmd_convert(const Args& args) {
  const Flags flags(args, convert_spec());
  if (!flags.has("hf")) throw UsageError("--hf DIR is required");
  const std::string out = flags.require("output");
  check_can_write(out, "--output");
  LoadedCheckpoint c = load_model(flags);
  fill_training_fields(c.config, flags.require("hf"));
  TrainingState state;
  const std::string tokenizer = flags.get("tokenizer", c.config.tokenizer);
  if (!tokenizer.empty()) {  // recorded by absolute path and identity, as a training run does
    c.config.tokenizer = std::filesystem::absolute(tokenizer).string();
    state.tokenizer_identity = data::Tokenizer::load(c.config.tokenizer).identity();
  }
  save_checkpoint(out, c.config, *c.model, nullptr, state);
  std::printf("wrote %s: %zu parameter tensors in %s%s\n", out.c_str(), c.model->named_parameters().size(),
              c.config.training.dtype.c_str(),
              tokenizer.empty() ? ", no tokenizer" : (", tokenizer " + c.config.tokenizer).c_str());
  return 0;
}

}  // namespace pldr::cli
