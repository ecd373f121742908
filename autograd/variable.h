// Variable: a tensor on the autodiff tape. Define-by-run reverse mode.
//
// Each op that runs with grad mode on and an input that requires grad records a Node holding its
// inputs and a backward function; backward() walks the nodes in reverse topological order.
// Gradient rule, written once: gradients are summed (+=) into leaves that require grad;
// intermediate gradients are dropped when backward() returns.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pldr::ag {

struct Node;

// Backward of one op: from the gradient of its output, one gradient per input (an undefined
// Tensor where an input needs none).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

// Where a backward may write its inputs' gradients, one entry per input: for an input that is a
// leaf with a gradient slot and no gradient yet in this backward pass, that slot (see
// VariableState::grad_slot); otherwise undefined. A rule that writes a gradient into its target
// returns the target itself, and the leaf takes it without a copy.
using GradTargets = std::vector<Tensor>;
using BackwardIntoFn = std::function<std::vector<Tensor>(const Tensor& grad_output, const GradTargets& targets)>;

struct VariableState {
  Tensor value;
  Tensor grad;  // undefined until a backward reaches this leaf
  // Where a leaf's gradient is written when set (a view into a flat gradient buffer, see
  // tensor/flat.h, set by optim/adamw.cpp); undefined: the gradient gets a buffer of its own.
  Tensor grad_slot;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves
};

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor value, bool requires_grad = false);  // a leaf

  bool defined() const { return state_ != nullptr; }
  const Tensor& value() const { return state_->value; }
  Tensor& mutable_value() { return state_->value; }  // for optimisers updating parameters in place
  const Tensor& grad() const { return state_->grad; }
  void set_grad(Tensor grad) { state_->grad = std::move(grad); }
  // The buffer a leaf's gradient is written into from now on (see VariableState::grad_slot).
  void set_grad_slot(Tensor slot) { state_->grad_slot = std::move(slot); }
  const Tensor& grad_slot() const { return state_->grad_slot; }
  void zero_grad() { state_->grad = Tensor(); }
  bool requires_grad() const { return state_->requires_grad; }
  bool is_leaf() const { return state_->grad_fn == nullptr; }
  const std::shared_ptr<Node>& grad_fn() const { return state_->grad_fn; }

  // A new leaf sharing this value, cut from the tape.
  Variable detach() const { return Variable(state_->value, false); }

  // Reverse mode from this variable: a scalar (seed 1), or any shape with an explicit seed.
  void backward() const;
  void backward(const Tensor& seed) const;

  const Shape& shape() const { return state_->value.shape(); }
  DType dtype() const { return state_->value.dtype(); }
  int dim() const { return state_->value.dim(); }
  int64_t size(int axis) const { return state_->value.size(axis); }
  double item() const { return state_->value.item(); }

  const VariableState* id() const { return state_.get(); }

 private:
  friend Variable record(Tensor, const char*, std::vector<Variable>, BackwardFn);
  friend Variable record_into(Tensor, const char*, std::vector<Variable>, BackwardIntoFn);
  // What record and record_into share: the result, with a Node when the op must be recorded.
  static Variable attach(Tensor value, const char* op, std::vector<Variable> inputs, BackwardIntoFn backward,
                         bool writes_into_targets);
  friend struct Node;
  std::shared_ptr<VariableState> state_;
};

struct Node {
  const char* op;  // for error messages
  std::vector<Variable> inputs;
  BackwardIntoFn backward;
  bool writes_into_targets = false;  // recorded by record_into: the engine offers it targets
  // Frees the part of the graph only this node keeps alive in a loop: releasing it by plain
  // recursion would take stack frames in proportion to the graph's depth.
  ~Node();
};

// Whether an op recorded now must give `v` a gradient (grad mode on and v requires one). Backward
// rules capture this per input and return an undefined Tensor for an input that needs none, so
// no work is spent on constants (attention masks, ids, fixed tables).
bool needs_grad(const Variable& v);

// Helpers for rules recorded with record_into: `g` summed down to `shape` (ops::sum_to_shape),
// written into `target` when defined; and a buffer for a gradient, the target or a new one.
Tensor sum_to_target(const Tensor& g, const Shape& shape, const Tensor& target);
Tensor target_or_new(const Tensor& target, const Shape& shape, DType dtype, Device device);

// Wraps an op's result. When grad mode is on and some input requires grad, attaches a Node.
Variable record(Tensor value, const char* op, std::vector<Variable> inputs, BackwardFn backward);
// The same for a rule that may write gradients into the targets it is offered (GradTargets).
Variable record_into(Tensor value, const char* op, std::vector<Variable> inputs, BackwardIntoFn backward);

}  // namespace pldr::ag
