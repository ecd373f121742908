#include "autograd/variable.h"

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr::ag {

Variable::Variable(Tensor value, bool requires_grad) : state_(std::make_shared<VariableState>()) {
  state_->value = std::move(value);
  state_->requires_grad = requires_grad;
}

bool needs_grad(const Variable& v) { return grad_enabled() && v.defined() && v.requires_grad(); }

Tensor sum_to_target(const Tensor& g, const Shape& shape, const Tensor& target) {
  if (!target.defined()) return ops::sum_to_shape(g, shape);
  Tensor out = target;
  ops::sum_to_shape_into(out, g);
  return out;
}

Tensor target_or_new(const Tensor& target, const Shape& shape, DType dtype, Device device) {
  return target.defined() ? target : Tensor::uninitialized(shape, dtype, device);
}

// The one place a recorded op gets its node: only when grad mode is on and an input requires grad.
Variable Variable::attach(Tensor value, const char* op, std::vector<Variable> inputs, BackwardIntoFn backward,
                          bool writes_into_targets) {
  Variable out(std::move(value), false);
  if (!grad_enabled()) return out;
  bool any = false;
  for (const Variable& v : inputs) any = any || (v.defined() && v.requires_grad());
  if (!any) return out;
  out.state_->requires_grad = true;
  out.state_->grad_fn = std::make_shared<Node>(Node{op, std::move(inputs), std::move(backward), writes_into_targets});
  return out;
}

Variable record_into(Tensor value, const char* op, std::vector<Variable> inputs, BackwardIntoFn backward) {
  return Variable::attach(std::move(value), op, std::move(inputs), std::move(backward), true);
}

Variable record(Tensor value, const char* op, std::vector<Variable> inputs, BackwardFn backward) {
  BackwardIntoFn ignoring_targets;  // stays empty without a rule, so backward() names the op
  if (backward)
    ignoring_targets = [backward = std::move(backward)](const Tensor& g, const GradTargets&) { return backward(g); };
  return Variable::attach(std::move(value), op, std::move(inputs), std::move(ignoring_targets), false);
}

Node::~Node() {
  // Nodes reachable only through this one are moved out of their variables before those die,
  // then released one by one with their inputs already taken: no destructor recurses.
  std::vector<std::shared_ptr<Node>> pending;
  auto take_sole_owned = [&pending](std::vector<Variable>& from) {
    for (Variable& v : from)
      if (v.state_ && v.state_.use_count() == 1 && v.state_->grad_fn && v.state_->grad_fn.use_count() == 1)
        pending.push_back(std::move(v.state_->grad_fn));
    from.clear();
  };
  take_sole_owned(inputs);
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    take_sole_owned(node->inputs);
  }
}

namespace {

bool same_view(const Tensor& a, const Tensor& b) {
  return a.shares_storage(b) && a.offset() == b.offset() && a.shape() == b.shape() && a.strides() == b.strides();
}

// The gradient rule for leaves, written once: the first gradient is taken as it is when a rule
// wrote it into the leaf's slot, else copied (g may be shared with other nodes) into the slot or
// a buffer of its own; later ones are added in place.
void accumulate_leaf_grad(VariableState& leaf, const Tensor& g) {
  if (!leaf.grad.defined()) {
    if (leaf.grad_slot.defined() && same_view(g, leaf.grad_slot)) {
      leaf.grad = leaf.grad_slot;
      return;
    }
    if (!leaf.grad_slot.defined()) {
      leaf.grad = g.clone();
      return;
    }
    leaf.grad_slot.copy_from(g);
    leaf.grad = leaf.grad_slot;
    return;
  }
  if (leaf.grad.is_contiguous() && leaf.grad.dtype() == g.dtype()) {
    ops::add_into(leaf.grad, g);
    return;
  }
  leaf.grad = ops::add(leaf.grad, g);
}

// The targets offered to `node`: each input leaf's slot, to one rule per leaf and backward pass
// (`offered`), while the leaf has no gradient yet.
GradTargets targets_for(const Node& node, std::unordered_set<const VariableState*>& offered) {
  GradTargets targets(node.inputs.size());
  if (!node.writes_into_targets) return targets;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Variable& in = node.inputs[i];
    if (!in.defined() || !in.requires_grad() || !in.is_leaf() || in.grad().defined() || !in.grad_slot().defined())
      continue;
    if (offered.insert(in.id()).second) targets[i] = in.grad_slot();
  }
  return targets;
}

}  // namespace

void Variable::backward() const {
  if (value().numel() != 1)
    throw std::invalid_argument("backward: output of shape " + to_string(shape()) + " is not a scalar; pass a seed");
  backward(ones(shape(), dtype(), value().device()));
}

void Variable::backward(const Tensor& seed) const {
  if (!requires_grad()) throw std::invalid_argument("backward: this variable does not require grad");
  if (seed.shape() != shape()) throw std::invalid_argument("backward: seed shape does not match the output");

  // Depth-first topological order of the variables that lead here (iterative: graphs are deep).
  std::vector<Variable> order;
  std::unordered_set<const VariableState*> visited;
  std::vector<std::pair<Variable, size_t>> stack{{*this, 0}};
  visited.insert(id());
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    const auto& node = v.grad_fn();
    if (node && next < node->inputs.size()) {
      const Variable& in = node->inputs[next++];
      if (in.defined() && in.requires_grad() && visited.insert(in.id()).second) stack.push_back({in, 0});
      continue;
    }
    order.push_back(v);
    stack.pop_back();
  }

  std::unordered_map<const VariableState*, Tensor> grads{{id(), seed}};
  std::unordered_set<const VariableState*> offered;  // leaves whose slot a rule was offered
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Variable& v = *it;
    auto found = grads.find(v.id());
    if (found == grads.end()) continue;
    Tensor g = std::move(found->second);
    grads.erase(found);
    if (v.is_leaf()) {
      accumulate_leaf_grad(*v.state_, g);
      continue;
    }
    const Node& node = *v.grad_fn();
    if (!node.backward) throw std::logic_error(std::string("backward: op '") + node.op + "' has no gradient rule");
    std::vector<Tensor> input_grads = node.backward(g, targets_for(node, offered));
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const Variable& in = node.inputs[i];
      if (!in.defined() || !in.requires_grad() || i >= input_grads.size() || !input_grads[i].defined()) continue;
      if (input_grads[i].shape() != in.shape())
        throw std::logic_error(std::string("backward: op '") + node.op + "' gave a gradient of shape " +
                               to_string(input_grads[i].shape()) + " for an input of shape " + to_string(in.shape()));
      auto slot = grads.find(in.id());
      if (slot == grads.end()) grads.emplace(in.id(), std::move(input_grads[i]));
      else slot->second = ops::add(slot->second, input_grads[i]);
    }
  }
}

}  // namespace pldr::ag
