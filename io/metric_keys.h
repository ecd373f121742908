// The keys of a training run's metrics.jsonl, one definition for the trainer that writes the lines
// (train/trainer.cpp, train/deductive_stats.cpp) and the code that reads them (io/metrics_log.cpp
// for `pldr plot`, bench/end_to_end.cpp). Here in io/ because train/ depends on io/, never the
// reverse.
//
// Each line is one JSON object with kStep. A logged step's line holds the window and run keys
// (with a learned G the DAG terms too, after a validation the validation keys, with
// training.deductive_stats the per-layer statistics); a data epoch's end has a line of its own with
// kStep and the epoch keys.
#pragma once
#include <cstddef>
#include <string>

namespace pldr::io::metric_keys {

// Optimiser steps done; on an epoch's line, those done when the epoch ended.
inline constexpr const char* kStep = "step";

// A logged step's line: averages over the steps since the previous logged line...
inline constexpr const char* kLoss = "loss";          // training cross-entropy, nats per token
inline constexpr const char* kAccuracy = "accuracy";  // next-token accuracy of the training batches
// ...and over the whole run (kept across a resume).
inline constexpr const char* kGlobalLoss = "global_loss";
inline constexpr const char* kGlobalAccuracy = "global_accuracy";
// The line's own step and the run so far.
inline constexpr const char* kLr = "lr";               // the step's learning rate
inline constexpr const char* kGradNorm = "grad_norm";  // the step's gradients' global L2 norm before clipping
inline constexpr const char* kTokensPerS =
    "tokens_per_s";  // training tokens per second of the window, all ranks, validation left out
inline constexpr const char* kTokensSeen = "tokens_seen";  // training tokens of the run so far, all ranks
inline constexpr const char* kElapsedS = "elapsed_s";      // seconds since this process's training loop began

// The three DAG terms (a learned G only): averages over the steps since the previous logged line.
inline constexpr const char* kDagALM = "dag_A_LM";
inline constexpr const char* kDagAp = "dag_Ap";
inline constexpr const char* kDagGLM = "dag_G_LM";

// Validation, on the lines of the steps that validated.
inline constexpr const char* kValLoss = "val_loss";                  // nats per token
inline constexpr const char* kValAccuracy = "val_accuracy";          // next-token accuracy
inline constexpr const char* kValBitsPerChar = "val_bits_per_char";  // only with the data's meta file
inline constexpr const char* kValDagALM = "val_dag_A_LM";  // the DAG terms of the validation batches (a learned G)
inline constexpr const char* kValDagAp = "val_dag_Ap";
inline constexpr const char* kValDagGLM = "val_dag_G_LM";

// A data epoch's line: its number and its averages.
inline constexpr const char* kEpoch = "epoch";
inline constexpr const char* kEpochLoss = "epoch_loss";
inline constexpr const char* kEpochAccuracy = "epoch_accuracy";

// Per-layer statistics of a deductive output ("A_LM", "Ap" or "G_LM"; stat "mean", "std", "min" or
// "max"), e.g. "G_LM_mean_layer0".
inline std::string deductive_stat(const std::string& output, const std::string& stat, size_t layer) {
  return output + "_" + stat + "_layer" + std::to_string(layer);
}

}  // namespace pldr::io::metric_keys
