// Differentiable operations on Variables. Each is implemented with its backward beside it in
// one of ops_*.cpp; the backwards call the tensor ops of tensor/ops.h.
#pragma once
#include <vector>

#include "autograd/variable.h"

namespace pldr::ag {

// ---- elementwise (broadcasting) : ops_elementwise.cpp ----
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable pow(const Variable& base, const Variable& exponent);  // gradients for both; needs base > 0 for d/d exponent
Variable add_scalar(const Variable& x, double s);
Variable mul_scalar(const Variable& x, double s);
Variable neg(const Variable& x);
Variable abs(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable sigmoid(const Variable& x);
Variable silu(const Variable& x);
Variable swiglu(const Variable& gate, const Variable& x);  // silu(gate) ⊙ x, broadcasting
// x converted to dtype (x itself when it has it); the gradient converts back to x's dtype.
Variable cast(const Variable& x, DType dtype);

// ---- reductions : ops_reduce.cpp ----
Variable sum(const Variable& x, std::vector<int> axes = {}, bool keepdim = false);
Variable mean(const Variable& x, std::vector<int> axes = {}, bool keepdim = false);
// The gradient goes to every position equal to the maximum, split evenly between ties.
Variable max(const Variable& x, std::vector<int> axes = {}, bool keepdim = false);

// ---- linear algebra : ops_linalg.cpp ----
// Under a bf16-mixed AutocastGuard (autograd/autocast.h) float32 operands are cast to bfloat16,
// multiplied with float32 accumulation, and the product cast back to float32.
// alpha scales the product in its own pass (tensor/ops.h), and both gradient products.
Variable matmul(const Variable& a, const Variable& b, double alpha = 1.0);
// x Wᵀ + b (nn::Linear): x [..., in], W [out, in], b [out] or undefined.
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);
Variable trace(const Variable& x);           // [..., N, N] -> [...]
Variable expm(const Variable& x);            // gradient through the Fréchet derivative: dA = L(Aᵀ, G)
Variable log_trace_expm(const Variable& x);  // log tr expm(X), [..., N, N] -> [...], overflow-safe

// ---- shapes and views : ops_shape.cpp ----
Variable reshape(const Variable& x, const Shape& shape);
Variable permute(const Variable& x, const std::vector<int>& order);
Variable transpose(const Variable& x, int axis_a, int axis_b);
Variable slice(const Variable& x, int axis, int64_t begin, int64_t end);
Variable expand(const Variable& x, const Shape& shape);
Variable concat(const std::vector<Variable>& parts, int axis);
std::vector<Variable> split(const Variable& x, int axis, const std::vector<int64_t>& sizes);

// ---- neural-network ops : ops_nn.cpp ----
Variable softmax(const Variable& x);      // last axis
Variable log_softmax(const Variable& x);  // last axis
// softmax(x + mask) in one kernel (ops::softmax(x, mask)); the mask is a constant, the gradient
// the softmax's own.
Variable softmax(const Variable& x, const Tensor& mask);
Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, double eps);
Variable embedding(const Variable& weight, const Tensor& ids);  // int32 ids; scatter-add backward
// Mean cross-entropy over targets != ignore_id (logits [..., V], int32 targets [...]).
Variable cross_entropy(const Variable& logits, const Tensor& targets, int ignore_id = 0);

}  // namespace pldr::ag
