#include "nn/module.h"

#include "tensor/creation.h"

namespace pldr::nn {

namespace {
thread_local bool parameters_uninitialized = false;
}  // namespace

UninitializedParameters::UninitializedParameters() : outer_(parameters_uninitialized) {
  parameters_uninitialized = true;
}

UninitializedParameters::~UninitializedParameters() { parameters_uninitialized = outer_; }

ag::Variable& Module::register_parameter(const std::string& name, const Shape& shape, DType dtype, double initial) {
  // zeros() clears with a memset where full() launches a fill kernel.
  Tensor value = parameters_uninitialized ? Tensor::uninitialized(shape, dtype)
                 : initial == 0           ? zeros(shape, dtype)
                                          : full(shape, initial, dtype);
  params_.emplace_back(name, ag::Variable(std::move(value), true));
  return params_.back().second;
}

void Module::remove_parameter(const std::string& name) {
  std::erase_if(params_, [&](const auto& p) { return p.first == name; });
}

void Module::register_module(const std::string& name, Module& child) { children_.emplace_back(name, &child); }

void Module::collect(const std::string& prefix, std::vector<std::pair<std::string, ag::Variable>>& out) const {
  for (const auto& [name, p] : params_) out.emplace_back(prefix + name, p);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

std::vector<std::pair<std::string, ag::Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, ag::Variable>> out;
  collect("", out);
  return out;
}

std::vector<ag::Variable> Module::parameters() const {
  std::vector<ag::Variable> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (const auto& [name, p] : named_parameters()) n += p.value().numel();
  return n;
}

void Module::to(DType dtype) {
  for (auto& [name, p] : named_parameters()) p.mutable_value() = p.value().to(dtype);
}

void Module::to(Device device) {
  for (auto& [name, p] : named_parameters()) {
    p.mutable_value() = p.value().to(device);
    if (p.grad().defined()) p.set_grad(p.grad().to(device));
  }
}

}  // namespace pldr::nn
