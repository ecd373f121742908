#include "optim/gradient_runs.h"

#include "tensor/flat.h"

namespace pldr::optim {

std::vector<Run> gradient_runs(const std::vector<ag::Variable>& parameters) {
  std::vector<Run> runs;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].grad().defined()) continue;
    if (!runs.empty() && runs.back().end == i) runs.back().end = i + 1;
    else runs.push_back({i, i + 1});
  }
  return runs;
}

Tensor run_view(const Run& run, const std::vector<Tensor>& tensors) {
  return joined_view({tensors.begin() + long(run.begin), tensors.begin() + long(run.end)});
}

void for_each_span(const std::vector<Run>& runs, const std::vector<Tensor>& tensors,
                   const std::function<void(Tensor&)>& f) {
  for (const Run& run : runs) {
    Tensor joined = run_view(run, tensors);
    if (joined.defined()) {
      f(joined);
      continue;
    }
    for (size_t i = run.begin; i < run.end; ++i) {
      Tensor t = tensors[i];
      f(t);
    }
  }
}

std::vector<Tensor> gradients(const std::vector<ag::Variable>& parameters) {
  std::vector<Tensor> grads;
  for (const ag::Variable& p : parameters) grads.push_back(p.grad());
  return grads;
}

}  // namespace pldr::optim
