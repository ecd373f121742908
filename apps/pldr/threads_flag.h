// --threads N, which every command takes, and PLDR_NUM_THREADS, its environment form.
#pragma once
#include "apps/pldr/commands.h"

namespace pldr::cli {

// Takes --threads N (or --threads=N) out of a command's arguments and sets the thread count:
// the flag, else PLDR_NUM_THREADS, else the OpenMP default. A bad value is a UsageError naming
// the flag or the variable. The count chosen is left in PLDR_NUM_THREADS, where the code that
// reads it later finds the flag's value too: the trainer (over training.threads), the
// SentencePiece trainer and the data preparation (their own threads), and the ranks that
// `train --nproc` starts. Removed before the command's parser sees the arguments, so the
// literal text "--threads" cannot be the value of another flag.
void apply_threads_flag(Args& args);

}  // namespace pldr::cli
