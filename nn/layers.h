// The basic layers: Linear, LayerNorm, Embedding and the gated linear unit (SwiGLU).
// Shapes: x [..., in]; weights in PyTorch layout, Linear weight [out, in].
#pragma once
#include <optional>

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/int8_matrix.h"

namespace pldr::nn {

// y = x Wᵀ + b
class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, bool bias, DType dtype);
  ag::Variable forward(const ag::Variable& x) const;
  ag::Variable weight, bias;  // [out, in], [out] (undefined without bias)

  // Inference with int8 weights (docs/int8.md): `weight` is dropped (no longer a parameter, its
  // memory goes with its last reference) and forward() reads `w` instead, on the CPU, in float32,
  // without recording a gradient: with gradients enabled it throws.
  void use_int8(Int8Matrix w);
  const Int8Matrix* int8_weight() const { return int8_ ? &*int8_ : nullptr; }

 private:
  std::optional<Int8Matrix> int8_;
};

// (x - mean) / sqrt(var + eps) * weight + bias over the last axis, biased variance.
class LayerNorm : public Module {
 public:
  LayerNorm(int64_t dim, double eps, DType dtype);
  ag::Variable forward(const ag::Variable& x) const;
  ag::Variable weight, bias;  // [dim]
  double eps;
};

class Embedding : public Module {
 public:
  Embedding(int64_t vocab, int64_t dim, DType dtype);
  ag::Variable forward(const Tensor& ids) const;  // int32 [...] -> [..., dim]
  ag::Variable weight;                            // [vocab, dim]

  // As Linear::use_int8: rows are dequantised as they are looked up.
  void use_int8(Int8Matrix w);
  const Int8Matrix* int8_weight() const { return int8_ ? &*int8_ : nullptr; }

 private:
  std::optional<Int8Matrix> int8_;
};

// GLU with SiLU gate (SwiGLU): gluw3( silu(gluw1 x) ⊙ gluw2 x ).
class GatedLinearUnit : public Module {
 public:
  GatedLinearUnit(int64_t dim, int64_t hidden, bool bias, DType dtype);
  ag::Variable forward(const ag::Variable& x) const;
  Linear gluw1, gluw2, gluw3;  // dim -> hidden, dim -> hidden, hidden -> dim
};

// iSwiGLU(z) = z · silu(z) = z² σ(z) ≥ 0 (docs/pldr-llm.md §3.3 step 6).
ag::Variable iswiglu(const ag::Variable& z);

}  // namespace pldr::nn
