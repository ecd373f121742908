#include "apps/pldr/model_loading.h"

#include <cstdio>

#include "apps/pldr/device_flag.h"
#include "apps/pldr/tokenizer_lookup.h"
#include "interop/hf_import.h"
#include "pldr/int8_weights.h"
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

std::vector<FlagSpec> model_flags(bool with_tokenizer) {
  std::vector<FlagSpec> flags{
      {"checkpoint", "CKPT", "", "the model: a checkpoint of pldr train (or --hf)", {}},
      {"hf", "DIR", "", "the model: a Hugging Face PLDR-LLM folder (config.json, safetensors, tokenizer.model)", {}},
      {"dtype", "float32|float64", "float32", "the dtype an --hf folder's weights are converted to", {}},
      device_flag_spec()};
  if (with_tokenizer)
    flags.push_back({"tokenizer",
                     "MODEL",
                     "the model's own",
                     "SentencePiece model; a checkpoint's is looked for beside it, then at the path training used",
                     {}});
  return flags;
}

FlagSpec weights_flag() {
  return {"weights",
          "float32|int8",
          "as stored",
          "int8: the linear layers and the embedding int8 with a scale per row (CPU inference; pldr quantize)",
          {}};
}

namespace {
interop::Weights weights_from_flag(const Flags& flags) {
  if (!flags.has("weights")) return interop::Weights::AsStored;
  const std::string w = flags.require("weights");
  if (w == "float32") return interop::Weights::Float;
  if (w == "int8") return interop::Weights::Int8;
  throw UsageError("--weights must be float32 or int8, got " + w);
}
}  // namespace

LoadedCheckpoint load_model(const Flags& flags) {
  if (flags.has("checkpoint") == flags.has("hf")) throw UsageError("give exactly one of --checkpoint CKPT or --hf DIR");
  const Device device = device_flag(flags);  // checked before anything loads
  const interop::Weights weights = weights_from_flag(flags);
  if (weights == interop::Weights::Int8 && device != Device::CPU)
    throw UsageError("--weights int8 runs on the CPU only, not --device " + std::string(device_name(device)));
  if (weights == interop::Weights::Int8 && flags.has("G"))
    throw UsageError("--G with --weights int8 is not supported: the fixed-G model is built from float weights");
  if (flags.has("checkpoint")) {
#if PLDR_APP_FULL
    LoadedCheckpoint c = load_checkpoint(flags.require("checkpoint"));
    if (flags.has("G")) use_fixed_G(c, flags.require("G"));
    if (weights == interop::Weights::Int8) quantize_to_int8(*c.model);
    c.model->to(device);
    return c;
#else
    throw UsageError("this build has no HDF5: it loads Hugging Face folders only (--hf DIR)");
#endif
  }
  const std::string dtype_name = flags.get("dtype", "float32");
  if (dtype_name != "float32" && dtype_name != "float64") throw UsageError("--dtype must be float32 or float64");
  interop::HfModel hf = interop::load_hf_folder(flags.require("hf"), dtype_from_name(dtype_name), weights);
  if (has_int8_weights(*hf.model) && flags.has("G"))
    throw UsageError("--G is not supported with int8 weights (" + flags.require("hf") + " is an int8 folder)");
  if (has_int8_weights(*hf.model) && device != Device::CPU)
    throw UsageError("int8 weights run on the CPU only, not --device " + std::string(device_name(device)));
  if (!hf.ignored_keys.empty()) {
    std::string keys;
    for (const std::string& key : hf.ignored_keys) keys += (keys.empty() ? "" : ", ") + key;
    std::fprintf(stderr, "warning: %s/config.json: ignored the keys PLDR-LLM does not know: %s\n",
                 flags.require("hf").c_str(), keys.c_str());
  }
  LoadedCheckpoint c;
  c.config.model = hf.model->config();
  c.config.training.dtype = dtype_name;
  c.config.tokenizer = hf.tokenizer_path;
  c.model = std::move(hf.model);
  if (flags.has("G")) use_fixed_G(c, flags.require("G"));
  c.model->to(device);
  return c;
}

LoadedModel load_model_and_tokenizer(const Flags& flags) {
  LoadedCheckpoint c = load_model(flags);
  std::string path = flags.get("tokenizer", "");
  if (path.empty() && flags.has("checkpoint"))
    path = find_checkpoint_tokenizer(flags.require("checkpoint"), c.config.tokenizer, c.state.tokenizer_identity);
  else if (path.empty()) path = c.config.tokenizer;
  if (path.empty()) throw UsageError("the model names no tokenizer; pass --tokenizer MODEL");
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

}  // namespace pldr::cli
