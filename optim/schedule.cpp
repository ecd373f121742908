#include "optim/schedule.h"

#include <algorithm>
#include <cmath>

namespace pldr::optim {

double WarmupCosine::factor(int64_t step) const {
  const int64_t s = std::min(step, total_steps);
  if (s <= warmup_steps) return warmup_steps == 0 ? 1.0 : double(s) / double(warmup_steps);
  const double progress = double(s - warmup_steps) / double(std::max<int64_t>(total_steps - warmup_steps, 1));
  return (1.0 - alpha) * 0.5 * (1.0 + std::cos(M_PI * progress)) + alpha;
}

}  // namespace pldr::optim
