#include "nn/layers.h"

namespace pldr::nn {

Linear::Linear(int64_t in, int64_t out, bool has_bias, DType dtype) {
  weight = register_parameter("weight", {out, in}, dtype, 0);
  if (has_bias) bias = register_parameter("bias", {out}, dtype, 0);
}

ag::Variable Linear::forward(const ag::Variable& x) const { return ag::linear(x, weight, bias); }

LayerNorm::LayerNorm(int64_t dim, double eps_, DType dtype) : eps(eps_) {
  weight = register_parameter("weight", {dim}, dtype, 1);
  bias = register_parameter("bias", {dim}, dtype, 0);
}

ag::Variable LayerNorm::forward(const ag::Variable& x) const { return ag::layer_norm(x, weight, bias, eps); }

Embedding::Embedding(int64_t vocab, int64_t dim, DType dtype) {
  weight = register_parameter("weight", {vocab, dim}, dtype, 0);
}

ag::Variable Embedding::forward(const Tensor& ids) const { return ag::embedding(weight, ids); }

GatedLinearUnit::GatedLinearUnit(int64_t dim, int64_t hidden, bool bias, DType dtype)
    : gluw1(dim, hidden, bias, dtype), gluw2(dim, hidden, bias, dtype), gluw3(hidden, dim, bias, dtype) {
  register_module("gluw1", gluw1);
  register_module("gluw2", gluw2);
  register_module("gluw3", gluw3);
}

ag::Variable GatedLinearUnit::forward(const ag::Variable& x) const {
  return gluw3.forward(ag::mul(ag::silu(gluw1.forward(x)), gluw2.forward(x)));
}

ag::Variable iswiglu(const ag::Variable& z) { return ag::mul(z, ag::silu(z)); }

}  // namespace pldr::nn
