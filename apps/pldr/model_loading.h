// What generate, inspect and eval share: the model of --checkpoint CKPT (an HDF5 checkpoint) or
// --hf DIR (a Hugging Face folder as published), and its tokenizer.
#pragma once
#include <string>
#include <vector>

#include "apps/flags.h"
#include "data/tokenizer.h"
#include "train/checkpoint.h"

namespace pldr::cli {

// The flags load_model and load_model_and_tokenizer read: --checkpoint, --hf, --dtype, --device
// and, with_tokenizer, --tokenizer.
std::vector<FlagSpec> model_flags(bool with_tokenizer);

// --weights float32|int8 (generate, eval): int8 weights (docs/int8.md) quantised at load, or as an
// int8 folder of pldr quantize stores them.
FlagSpec weights_flag();

// Exactly one of --checkpoint CKPT or --hf DIR. For --hf, the parameters are converted to --dtype
// (float32 unless the command declares and is given --dtype float64), the run configuration holds
// the folder's model configuration, the tokenizer is the folder's tokenizer.model, and the
// training state is empty. A build without HDF5 knows only --hf. With --G FILE (where the command
// declares it) the model runs on FILE's fixed G_LM (docs/pldr-llm.md §4.4). The model is moved to
// --device (cpu or cuda; checked before anything loads). With --weights int8 (where declared) the
// listed layers' weights are int8, CPU and float32 only; --weights float32 on an int8 folder fails.
LoadedCheckpoint load_model(const Flags& flags);

struct LoadedModel {
  LoadedCheckpoint checkpoint;
  data::Tokenizer tokenizer;
};

// The model as load_model, and the tokenizer: --tokenizer MODEL, else the folder's, else the
// checkpoint's as find_checkpoint_tokenizer finds it; it must have the identity a checkpoint recorded.
LoadedModel load_model_and_tokenizer(const Flags& flags);

}  // namespace pldr::cli
