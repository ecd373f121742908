// Training-loss bookkeeping as the reference logs it: averages over each data epoch (its per-epoch
// train loss and accuracy) and global running averages over the whole run, kept across a resume in
// a small JSON file beside the checkpoint (written with it, at the same step).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pldr {

struct EpochMetrics {
  uint64_t epoch = 0;
  int64_t steps = 0;
  double loss = 0, accuracy = 0;  // means over the epoch's steps
};

class RunningMetrics {
 public:
  // One optimiser step's loss and accuracy, taken from data epoch `epoch`. When `epoch` is past
  // the previous step's, that epoch is complete and its averages are returned.
  std::optional<EpochMetrics> add(double loss, double accuracy, uint64_t epoch);

  int64_t steps() const { return steps_; }
  double global_loss() const { return steps_ ? loss_sum_ / double(steps_) : 0.0; }
  double global_accuracy() const { return steps_ ? accuracy_sum_ / double(steps_) : 0.0; }

  nlohmann::json to_json() const;
  static RunningMetrics from_json(const nlohmann::json& j);

  // The file holds {"step": step, "metrics": to_json()}, written atomically.
  void save(const std::string& path, int64_t step) const;
  // The state saved at `step`; nullopt when the file is absent or was written at another step
  // (a run stopped between a checkpoint and this file). std::runtime_error on a damaged file.
  static std::optional<RunningMetrics> load(const std::string& path, int64_t step);

 private:
  int64_t steps_ = 0;
  double loss_sum_ = 0, accuracy_sum_ = 0;
  bool in_epoch_ = false;
  EpochMetrics epoch_;  // the epoch in progress: sums in loss/accuracy until it closes
};

}  // namespace pldr
