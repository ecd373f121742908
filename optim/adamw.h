// AdamW with decoupled weight decay, PyTorch semantics (torch.optim.AdamW, non-fused):
//   p ← p (1 - lr·wd);  m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
//   p ← p - (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)
//
// Sharded (ZeRO stage 1, training.shard_optimizer): an AdamW given a shard holds the moments of
// elements [begin, end) of the parameters laid out back to back (flat_parameters()) and updates
// those elements only; the caller sums the gradients into that range beforehand and gathers the
// parameters afterwards (train/step.cpp). Every element's update is the unsharded one.
#pragma once
#include <optional>
#include <vector>

#include "autograd/variable.h"

namespace pldr::optim {

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-5, weight_decay = 0.1;
};

// Elements [begin, end) of the flat parameter buffer.
struct ElementRange {
  size_t begin = 0, end = 0;
};

class AdamW {
 public:
  // With `shard`: the moments of those elements only (std::invalid_argument when the parameters do
  // not lie back to back in one buffer of one dtype, or the range is not within them).
  AdamW(std::vector<ag::Variable> parameters, AdamWOptions options, std::optional<ElementRange> shard = {});

  // One update with learning rate lr from each parameter's current gradient (a parameter with
  // no gradient is skipped, as PyTorch does).
  void step(double lr);
  void zero_grad();

  int64_t steps() const { return step_; }
  const std::vector<ag::Variable>& parameters() const { return params_; }
  // Moments, in the order of parameters(), for checkpoints (unsharded only: empty when sharded).
  std::vector<Tensor>& first_moments() { return m_; }
  std::vector<Tensor>& second_moments() { return v_; }
  void set_steps(int64_t steps) { step_ = steps; }
  const AdamWOptions& options() const { return options_; }
  // Sets parameter i's moments from whole tensors shaped like it (as checkpoints hold them); when
  // sharded, the part within the shard.
  void load_moments(size_t i, const Tensor& m, const Tensor& v);
  // Bytes of moments this optimizer holds.
  size_t moment_bytes() const;

  // Sharding. The parameters and their gradient slots as 1-D views, back to back (undefined when
  // they do not lie so; always defined when sharded).
  bool sharded() const { return shard_.has_value(); }
  const ElementRange& shard() const { return *shard_; }
  Tensor flat_parameters() const;
  Tensor flat_gradients() const;
  // The shard's moments [end - begin].
  const Tensor& shard_first_moment() const { return shard_m_; }
  const Tensor& shard_second_moment() const { return shard_v_; }
  // Puts every gradient into its slot of flat_gradients() (zeros for a parameter without one), to
  // be summed there over the ranks.
  void gradients_to_slots();
  // The shard's gradients, one view of flat_gradients() per run of parameters that have one (what
  // step() updates; clipping and the gradient norm work on them).
  std::vector<Tensor> shard_gradients() const;

 private:
  // Elements [begin, end) of each run of parameters with a gradient, clipped to the shard.
  std::vector<ElementRange> shard_runs() const;

  std::vector<ag::Variable> params_;
  AdamWOptions options_;
  std::vector<Tensor> m_, v_;
  std::vector<Tensor> grad_slots_;
  std::vector<size_t> offsets_;  // each parameter's first element in the flat buffer
  std::optional<ElementRange> shard_;
  Tensor shard_m_, shard_v_;
  int64_t step_ = 0;
};

}  // namespace pldr::optim
