#include "optim/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "optim/gradient_runs.h"
#include "tensor/flat.h"
#include "tensor/ops.h"

namespace pldr::optim {

// Parameters, gradients and moments each in one flat buffer (tensor/flat.h): the parameters
// become views into theirs (same names, shapes and values), each gradient is written into its slot
// of the gradient buffer, and a step updates a run of parameters with one kernel.
AdamW::AdamW(std::vector<ag::Variable> parameters, AdamWOptions options, std::optional<ElementRange> shard)
    : params_(std::move(parameters)), options_(options), shard_(shard) {
  std::vector<Tensor> values;
  for (const ag::Variable& p : params_) values.push_back(p.value());
  const std::vector<Tensor> flat = flat_buffer_like(values);
  grad_slots_ = flat_buffer_like(values);
  size_t at = 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor view = flat[i];
    view.copy_from(values[i]);
    params_[i].mutable_value() = view;
    params_[i].set_grad_slot(grad_slots_[i]);
    offsets_.push_back(at);
    at += size_t(values[i].numel());
  }
  if (!shard_) {
    m_ = flat_buffer_like(values);
    v_ = flat_buffer_like(values);
    return;
  }
  const Tensor all = flat_parameters();
  if (!all.defined())
    throw std::invalid_argument("a sharded AdamW needs its parameters in one buffer: one dtype and device");
  if (shard_->begin > shard_->end || shard_->end > at)
    throw std::invalid_argument("AdamW shard [" + std::to_string(shard_->begin) + ", " + std::to_string(shard_->end) +
                                ") is not within the " + std::to_string(at) + " parameters' elements");
  const int64_t n = int64_t(shard_->end - shard_->begin);
  shard_m_ = Tensor::empty({n}, all.dtype(), all.device());
  shard_v_ = Tensor::empty({n}, all.dtype(), all.device());
}

Tensor AdamW::flat_parameters() const {
  std::vector<Tensor> values;
  for (const ag::Variable& p : params_) values.push_back(p.value());
  return joined_view(values);
}

Tensor AdamW::flat_gradients() const { return joined_view(grad_slots_); }

void AdamW::gradients_to_slots() {
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& g = params_[i].grad();
    Tensor& slot = grad_slots_[i];
    if (!g.defined()) slot.fill(0.0);
    else if (!g.shares_storage(slot) || g.offset() != slot.offset() || !g.is_contiguous())
      slot.copy_from(g.to(slot.dtype()));  // a gradient accumulated outside its slot
    if (g.defined()) params_[i].set_grad(slot);
  }
}

std::vector<ElementRange> AdamW::shard_runs() const {
  std::vector<ElementRange> ranges;
  for (const Run& run : gradient_runs(params_)) {
    const size_t end =
        run.end < params_.size() ? offsets_[run.end] : offsets_.back() + size_t(params_.back().value().numel());
    const size_t b = std::max(offsets_[run.begin], shard_->begin), e = std::min(end, shard_->end);
    if (b < e) ranges.push_back({b, e});
  }
  return ranges;
}

std::vector<Tensor> AdamW::shard_gradients() const {
  const Tensor g = flat_gradients();
  std::vector<Tensor> views;
  for (const ElementRange& r : shard_runs()) views.push_back(g.slice(0, int64_t(r.begin), int64_t(r.end)));
  return views;
}

void AdamW::load_moments(size_t i, const Tensor& m, const Tensor& v) {
  if (!shard_) {
    m_[i].copy_from(m);
    v_[i].copy_from(v);
    return;
  }
  const size_t begin = offsets_[i], end = begin + size_t(m.numel());
  const size_t b = std::max(begin, shard_->begin), e = std::min(end, shard_->end);
  if (b >= e) return;
  const auto part = [&](const Tensor& whole) {
    return whole.contiguous().reshape({whole.numel()}).slice(0, int64_t(b - begin), int64_t(e - begin));
  };
  const int64_t at = int64_t(b - shard_->begin), to = int64_t(e - shard_->begin);
  shard_m_.slice(0, at, to).copy_from(part(m));
  shard_v_.slice(0, at, to).copy_from(part(v));
}

size_t AdamW::moment_bytes() const {
  if (shard_) return size_t(shard_m_.numel() + shard_v_.numel()) * dtype_size(shard_m_.dtype());
  size_t bytes = 0;
  for (size_t i = 0; i < m_.size(); ++i) bytes += size_t(m_[i].numel() + v_[i].numel()) * dtype_size(m_[i].dtype());
  return bytes;
}

void AdamW::zero_grad() {
  for (ag::Variable& p : params_) p.zero_grad();
}

void AdamW::step(double lr) {
  ++step_;
  const AdamWOptions& o = options_;
  const AdamWStep scalars{.decay = 1.0 - lr * o.weight_decay,
                          .beta1 = o.beta1,
                          .beta2 = o.beta2,
                          .eps = o.eps,
                          .step_size = lr / (1.0 - std::pow(o.beta1, double(step_))),
                          .bias2_sqrt = std::sqrt(1.0 - std::pow(o.beta2, double(step_)))};
  if (shard_) {  // the shard's runs of parameters with a gradient, each one kernel
    const Tensor p = flat_parameters(), g = flat_gradients();
    for (const ElementRange& r : shard_runs()) {
      const auto at = [](const Tensor& t, size_t b, size_t e) { return t.slice(0, int64_t(b), int64_t(e)); };
      Tensor values = at(p, r.begin, r.end), m = at(shard_m_, r.begin - shard_->begin, r.end - shard_->begin),
             v = at(shard_v_, r.begin - shard_->begin, r.end - shard_->begin);
      ops::adamw_update(values, m, v, at(g, r.begin, r.end), scalars);
    }
    return;
  }
  std::vector<Tensor> values;
  for (const ag::Variable& p : params_) values.push_back(p.value());
  const std::vector<Tensor> grads = gradients(params_);
  for (const Run& run : gradient_runs(params_)) {
    Tensor p = run_view(run, values), m = run_view(run, m_), v = run_view(run, v_), g = run_view(run, grads);
    if (p.defined() && m.defined() && v.defined() && g.defined() && g.dtype() == p.dtype()) {
      ops::adamw_update(p, m, v, g, scalars);  // the whole run: one kernel
      continue;
    }
    for (size_t i = run.begin; i < run.end; ++i) {
      ag::Variable& param = params_[i];
      if (!param.mutable_value().is_contiguous()) param.mutable_value() = param.value().contiguous();
      ops::adamw_update(param.mutable_value(), m_[i], v_[i], param.grad(), scalars);
    }
  }
}

}  // namespace pldr::optim
