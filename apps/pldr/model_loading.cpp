#include "apps/pldr/model_loading.h"

#include "apps/pldr/device_flag.h"
#include "interop/hf_import.h"
#if PLDR_APP_FULL
#include "train/g_transfer.h"
#endif

namespace pldr::cli {

namespace {
// --G FILE (generate, eval, invariance): the model runs on the fixed G of FILE's G_LM/layer{i}
// [1, H, dk, dk], the layout `pldr inspect` writes. A learned model runs without its metric
// learner (train/g_transfer.h); a predefined-G model gets this G instead of its own.
void use_fixed_G(LoadedCheckpoint& c, const std::string& file) {
#if PLDR_APP_FULL
  std::vector<Tensor> G = load_external_G(file, "G_LM", c.model->config(), c.model->dtype());
  if (c.model->config().custom_G_type == GType::Learned) c.model = transfer_to_predefined_G(*c.model, std::move(G));
  else c.model->predefined_G = std::move(G);
  c.config.model = c.model->config();
#else
  throw UsageError("this build has no HDF5: --G " + file + " needs it");
#endif
}
}  // namespace

LoadedCheckpoint load_model(const Flags& flags) {
  if (flags.has("checkpoint") == flags.has("hf")) throw UsageError("give exactly one of --checkpoint CKPT or --hf DIR");
  const Device device = device_flag(flags);  // checked before anything loads
  if (flags.has("checkpoint")) {
#if PLDR_APP_FULL
    LoadedCheckpoint c = load_checkpoint(flags.require("checkpoint"));
    if (flags.has("G")) use_fixed_G(c, flags.require("G"));
    c.model->to(device);
    return c;
#else
    throw UsageError("this build has no HDF5: it loads Hugging Face folders only (--hf DIR)");
#endif
  }
  const std::string dtype_name = flags.get("dtype", "float32");
  if (dtype_name != "float32" && dtype_name != "float64") throw UsageError("--dtype must be float32 or float64");
  interop::HfModel hf = interop::load_hf_folder(flags.require("hf"), dtype_from_name(dtype_name));
  LoadedCheckpoint c;
  c.config.model = hf.model->config();
  c.config.training.dtype = dtype_name;
  c.config.tokenizer = hf.tokenizer_path;
  c.model = std::move(hf.model);
  if (flags.has("G")) use_fixed_G(c, flags.require("G"));
  c.model->to(device);
  return c;
}

#if PLDR_APP_FULL
LoadedModel load_model_and_tokenizer(const Flags& flags) {
  LoadedCheckpoint c = load_model(flags);
  const std::string path = flags.get("tokenizer", c.config.tokenizer);
  if (path.empty()) throw UsageError("the model names no tokenizer; pass --tokenizer");
  data::Tokenizer tok = data::Tokenizer::load(path);
  if (!c.state.tokenizer_identity.empty() && tok.identity() != c.state.tokenizer_identity)
    throw std::runtime_error("tokenizer " + path + " (" + tok.identity() +
                             ") is not the one the checkpoint was trained with (" + c.state.tokenizer_identity + ")");
  if (tok.vocab_size() > c.config.model.vocab_size)
    throw std::runtime_error("tokenizer " + path + " has " + std::to_string(tok.vocab_size()) +
                             " pieces, more than the model's vocabulary of " +
                             std::to_string(c.config.model.vocab_size));
  return {std::move(c), std::move(tok)};
}
#endif

}  // namespace pldr::cli
