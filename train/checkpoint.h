// HDF5 checkpoints: parameters under the reference's names, AdamW state, step and schedule
// position, data position, the run configuration and the tokenizer's identity. Written
// atomically (temporary file, flush, rename): a run killed while saving never leaves a damaged
// checkpoint in place. Damage after that is detected (io/hdf5_file.h): every tensor carries a
// checksum, and a changed byte fails the load naming the tensor. Checkpoints written before
// checksums (same format version) still load, unchecked.
//
// Layout (format_version 1):
//   /                      attrs format="pldr-checkpoint", format_version, step, tokens_seen,
//                                tokenizer_identity, data_epoch, data_index, optimizer_steps,
//                                world_size (the ranks that trained it; absent = 1, older files)
//   /run_config            string: the resolved run configuration (JSON)
//   /params/<name>         every parameter, in the training dtype
//   /predefined_G/layer{i} [1, H, dk, dk] for custom_G_type identity/random/external
//   /optimizer/m/<name>, /optimizer/v/<name>   AdamW moments
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "optim/adamw.h"
#include "pldr/model.h"
#include "train/run_config.h"

namespace pldr {

constexpr int64_t kCheckpointFormatVersion = 1;

struct TrainingState {
  int64_t step = 0;  // optimiser steps done; the schedule position is this step
  int64_t tokens_seen = 0;
  uint64_t data_epoch = 0;  // the training loader's position
  uint64_t data_index = 0;  // per rank: each rank has consumed this many of its share
  std::string tokenizer_identity;
  int64_t world_size = 1;  // the ranks the data position belongs to
};

// AdamW's state as a checkpoint holds it: every parameter's moments whole, in the order of the
// model's parameters (a sharded AdamW's shards gathered: train/trainer.cpp), so that it resumes
// with sharding on or off and at any world size.
struct OptimizerState {
  int64_t steps = 0;
  std::vector<Tensor> m, v;
  // When set, called with 0 before the m are read and with 1 before the v are read (all m first):
  // a sharded optimizer gathers each moment there, in turn, into buffers that m and v share.
  std::function<void(int moment)> gather;
};

// `optimizer` may be null (no optimizer state saved); a sharded AdamW is saved through its
// gathered OptimizerState (std::invalid_argument here).
void save_checkpoint(const std::string& path, const RunConfig& config, const PldrModel& model,
                     const optim::AdamW* optimizer, const TrainingState& state);
void save_checkpoint(const std::string& path, const RunConfig& config, const PldrModel& model,
                     const OptimizerState& optimizer, const TrainingState& state);

struct LoadedCheckpoint {
  RunConfig config;
  std::unique_ptr<PldrModel> model;
  TrainingState state;
};

// A checkpoint's run configuration and training state, without its tensors (std::runtime_error
// as load_checkpoint on a file that is not a checkpoint this build reads).
struct CheckpointHeader {
  RunConfig config;
  TrainingState state;
};
CheckpointHeader read_checkpoint_header(const std::string& path);

// Throws std::runtime_error naming the file and the problem: not HDF5, truncated, not a
// checkpoint, an unknown format version, a missing tensor or a tensor of the wrong shape. Reads
// the parameters alone, each straight into its tensor: the AdamW moments stay on disk (see
// load_optimizer_state), so inference from a checkpoint costs about the parameters' bytes.
LoadedCheckpoint load_checkpoint(const std::string& path);

// Restores the AdamW moments and step count saved with the checkpoint into `optimizer`, whose
// parameters must be the checkpoint model's (a sharded AdamW takes its shard of them).
void load_optimizer_state(const std::string& path, const PldrModel& model, optim::AdamW& optimizer);

// Loads G_LM per layer from an HDF5 file laid out as <group>/layer{i} [1, H, dk, dk] (the
// reference's paper_G_LM.h5), checking shapes against the configuration.
std::vector<Tensor> load_external_G(const std::string& file, const std::string& group, const PldrConfig& config,
                                    DType dtype);

}  // namespace pldr
