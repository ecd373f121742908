// Module: a tree of named parameters. Names are the reference's state_dict names
// ("decoder.dec_layers.0.mha1.wq.weight"), so checkpoints and golden files map one to one.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace pldr::nn {

// While one is alive on this thread, modules being built register their parameters with
// uninitialised storage instead of their starting values: for loaders that replace every
// parameter right after. Building the model then costs address space but no resident memory
// (pages never written are never faulted in), and no time filling values about to be dropped.
class UninitializedParameters {
 public:
  UninitializedParameters();
  ~UninitializedParameters();
  UninitializedParameters(const UninitializedParameters&) = delete;
  UninitializedParameters& operator=(const UninitializedParameters&) = delete;

 private:
  bool outer_;  // the state to restore: scopes nest
};

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of this module and its children, in registration order, with full names.
  std::vector<std::pair<std::string, ag::Variable>> named_parameters() const;
  std::vector<ag::Variable> parameters() const;
  int64_t parameter_count() const;

  // Converts every parameter to `dtype` in place (the Variables keep their identity).
  void to(DType dtype);
  // Moves every parameter (and its gradient, if any) to `device` in place. Modules hold no other
  // tensors: derived tables (rotary cos/sin) are built per device on first use.
  void to(Device device);

 protected:
  // A parameter filled with `initial` (unfilled inside UninitializedParameters).
  ag::Variable& register_parameter(const std::string& name, const Shape& shape, DType dtype, double initial);
  void register_module(const std::string& name, Module& child);
  // Drops a parameter from this module's list (a weight replaced by its int8 form, nn/layers.h).
  void remove_parameter(const std::string& name);

 private:
  void collect(const std::string& prefix, std::vector<std::pair<std::string, ag::Variable>>& out) const;
  std::vector<std::pair<std::string, ag::Variable>> params_;
  std::vector<std::pair<std::string, Module*>> children_;
};

}  // namespace pldr::nn
