#include "apps/pldr/model_loading.h"

#include "apps/pldr/device_flag.h"

namespace pldr::cli {

LoadedModel load_model_and_tokenizer(const Flags& flags) {
  const Device device = device_flag(flags);
  LoadedCheckpoint c = load_checkpoint(flags.require("checkpoint"));
  const std::string path = flags.get("tokenizer", c.config.tokenizer);
  if (path.empty()) throw UsageError("the checkpoint names no tokenizer; pass --tokenizer");
  data::Tokenizer tok = data::Tokenizer::load(path);
  if (!c.state.tokenizer_identity.empty() && tok.identity() != c.state.tokenizer_identity)
    throw std::runtime_error("tokenizer " + path + " (" + tok.identity() + ") is not the one the checkpoint was trained with (" +
                             c.state.tokenizer_identity + ")");
  if (tok.vocab_size() > c.config.model.vocab_size)
    throw std::runtime_error("tokenizer " + path + " has " + std::to_string(tok.vocab_size()) + " pieces, more than the model's vocabulary of " +
                             std::to_string(c.config.model.vocab_size));
  c.model->to(device);
  return {std::move(c), std::move(tok)};
}

}  // namespace pldr::cli
