// What generate, inspect and eval share: the model of --checkpoint CKPT (an HDF5 checkpoint) or
// --hf DIR (a Hugging Face folder as published), and its tokenizer.
#pragma once
#include <string>

#include "apps/flags.h"
#include "train/checkpoint.h"
#if PLDR_APP_FULL
#include "data/tokenizer.h"
#endif

namespace pldr::cli {

// Exactly one of --checkpoint CKPT or --hf DIR. For --hf, the parameters are converted to --dtype
// (float32 unless the command declares and is given --dtype float64), the run configuration holds
// the folder's model configuration, the tokenizer is the folder's tokenizer.model, and the
// training state is empty. A build without HDF5 knows only --hf. With --G FILE (where the command
// declares it) the model runs on FILE's fixed G_LM (docs/pldr-llm.md §4.4). The model is moved to
// --device (cpu or cuda; checked before anything loads).
LoadedCheckpoint load_model(const Flags& flags);

#if PLDR_APP_FULL
struct LoadedModel {
  LoadedCheckpoint checkpoint;
  data::Tokenizer tokenizer;
};

// The model as load_model, and the tokenizer: --tokenizer MODEL, else the one the checkpoint or
// folder names; it must have the identity a checkpoint recorded.
LoadedModel load_model_and_tokenizer(const Flags& flags);
#endif

}  // namespace pldr::cli
