// What generate and inspect share: a checkpoint's model and its tokenizer.
#pragma once
#include <string>

#include "apps/pldr/flags.h"
#include "data/tokenizer.h"
#include "train/checkpoint.h"

namespace pldr::cli {

struct LoadedModel {
  LoadedCheckpoint checkpoint;
  data::Tokenizer tokenizer;
};

// --checkpoint CKPT [--tokenizer MODEL] [--device cpu|cuda]: the tokenizer defaults to the run's,
// and must have the identity the checkpoint recorded; the model is moved to the device (checked
// before anything loads).
LoadedModel load_model_and_tokenizer(const Flags& flags);

}  // namespace pldr::cli
