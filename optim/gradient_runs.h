// Runs of consecutive parameters that have a gradient: the unit the optimizer and clipping work
// on. AdamW lays parameters, gradients and moments out back to back (tensor/flat.h), so one run
// is one view and one kernel; a run whose tensors are not back to back is taken tensor by tensor.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "autograd/variable.h"

namespace pldr::optim {

struct Run {
  size_t begin, end;  // parameter indices [begin, end)
};
std::vector<Run> gradient_runs(const std::vector<ag::Variable>& parameters);

// The joined view (tensor/flat.h) of one run's tensors taken from `tensors` (indexed like the
// parameters), or an undefined Tensor when they do not lie back to back.
Tensor run_view(const Run& run, const std::vector<Tensor>& tensors);

// Calls f on each run's tensors taken from `tensors` (indexed like the parameters): once with
// their joined view when they lie back to back, else once per tensor.
void for_each_span(const std::vector<Run>& runs, const std::vector<Tensor>& tensors,
                   const std::function<void(Tensor&)>& f);

// The gradients of `parameters`, indexed like them (undefined where a parameter has none).
std::vector<Tensor> gradients(const std::vector<ag::Variable>& parameters);

}  // namespace pldr::optim
