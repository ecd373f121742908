// AdamW with decoupled weight decay, PyTorch semantics (torch.optim.AdamW, non-fused):
//   p ← p (1 - lr·wd);  m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
//   p ← p - (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)
#pragma once
#include <vector>

#include "autograd/variable.h"

namespace pldr::optim {

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-5, weight_decay = 0.1;
};

class AdamW {
 public:
  AdamW(std::vector<ag::Variable> parameters, AdamWOptions options);

  // One update with learning rate lr from each parameter's current gradient (a parameter with
  // no gradient is skipped, as PyTorch does).
  void step(double lr);
  void zero_grad();

  int64_t steps() const { return step_; }
  const std::vector<ag::Variable>& parameters() const { return params_; }
  // Moments, in the order of parameters(), for checkpoints.
  std::vector<Tensor>& first_moments() { return m_; }
  std::vector<Tensor>& second_moments() { return v_; }
  void set_steps(int64_t steps) { step_ = steps; }
  const AdamWOptions& options() const { return options_; }

 private:
  std::vector<ag::Variable> params_;
  AdamWOptions options_;
  std::vector<Tensor> m_, v_;
  int64_t step_ = 0;
};

}  // namespace pldr::optim
