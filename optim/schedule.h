// Learning-rate schedule: linear warm-up then cosine decay to alpha·base (docs/pldr-llm.md §12), a pure
// function of the step. f(0) = 0, so the very first step changes only the moments.
#pragma once
#include <cstdint>

namespace pldr::optim {

struct WarmupCosine {
  double base_lr = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double alpha = 0.1;  // final lr = alpha · base_lr

  // f(s) = s / warmup for s <= warmup, else (1-α)·½(1 + cos(π (s-warmup)/(total-warmup))) + α,
  // with s capped at total.
  double factor(int64_t step) const;
  double lr(int64_t step) const { return base_lr * factor(step); }
};

}  // namespace pldr::optim
