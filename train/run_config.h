// A training run's configuration (`pldr train --config run.json`): model, optimiser, schedule,
// data, DAG coefficients, predefined G, seed. Every key is validated; "section.key=value"
// overrides from the command line apply on top; the resolved configuration is saved with the run.
#pragma once
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pldr/config.h"

namespace pldr {

struct RunConfig {
  PldrConfig model;

  struct Optimizer {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.95, eps = 1e-5, weight_decay = 0.1;
    double clip_value = 1.0;  // elementwise clip to [-c, c] (the reference); 0 = off
    double clip_norm = 0.0;   // global-norm clip; 0 = off
  } optimizer;

  struct Schedule {
    int64_t warmup_steps = 100;
    double alpha = 0.1;  // final lr = alpha · lr; total steps = training.steps
  } schedule;

  struct Data {
    std::string train;      // token file (pldr prepare)
    std::string val;        // token file; optional
    std::string meta;       // the prepare step's meta.json (bytes per split, for bits per character)
    int64_t context = 256;  // input length; samples hold context + 1 tokens
    int64_t batch_size = 16;
    int64_t grad_accum = 1;  // micro-batches per optimiser step
    std::string packing = "pack";
    int64_t aggregate_documents = 3200;  // pad/nopad: documents concatenated before cutting (data/packing.h)
    bool shuffle = true;
  } data;

  std::array<double, 3> dag{0, 0, 0};  // coefficients for A_LM, Ap, G_LM

  struct PredefinedG {
    std::string file;  // HDF5 with <group>/layer{i} = [1, H, dk, dk] (paper_G_LM.h5 layout)
    std::string group;
  } external_G;

  struct Training {
    int64_t steps = 1000;  // optimiser steps of the whole run (the schedule's total)
    int64_t log_every = 10;
    int64_t eval_every = 100;
    int64_t eval_batches = 20;
    int64_t checkpoint_every = 500;
    std::string dtype = "float32";
    std::string precision = "float32";  // or "bf16-mixed" (float32 dtype): autograd/autocast.h
    std::string device = "cpu";         // cpu or cuda; checkpoints load on either
    int64_t threads = 0;                // OpenMP threads; 0 = all cores; PLDR_NUM_THREADS overrides it
    int64_t keep_every = 0;             // checkpoint history (train/checkpoint_history.h): steps that are
    int64_t keep_last = 0;              //   multiples of keep_every, and the last keep_last saved; 0 = off
    std::vector<int64_t> save_at;       // steps that also save a checkpoint, each kept in the history
    bool deductive_stats = true;        // log per-layer mean/std/min/max of A_LM, Ap, G_LM (train/deductive_stats.h)
    bool shard_optimizer = false;       // ZeRO stage 1: each rank holds 1/N of the AdamW moments (optim/adamw.h)
  } training;

  std::string tokenizer;  // SentencePiece model the data was prepared with
  uint64_t seed = 1234;
  std::string out_dir = "runs/default";

  void validate() const;  // throws std::invalid_argument naming the key
  static RunConfig from_json(const nlohmann::json& j);
  // The JSON of a run configuration file, before overrides, its relative paths resolved against
  // the file's folder (run_config_paths.h); throws naming the file when it cannot be read or is
  // not JSON.
  static nlohmann::json read_json_file(const std::string& path);
  nlohmann::json to_json() const;
  // Applies "section.key=value" (value parsed as JSON, else taken as a string) to a config's JSON.
  static void apply_override(nlohmann::json& j, const std::string& assignment);
};

}  // namespace pldr
