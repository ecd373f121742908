// The op vocabulary shared by the public ops (tensor/ops.h) and every backend's kernels
// (tensor/cpu/, tensor/cuda/): the enums that select a variant of an op, and the small structs
// that carry an op's several results or its scalar settings. Kernels include this header, never
// tensor/ops.h.
#pragma once
#include "tensor/tensor.h"

namespace pldr {

// Elementwise binary ops over broadcast operands.
enum class BinaryOp { Add, Sub, Mul, Div, Pow, SiluBack /* (x, g) -> g * silu'(x) */, Equal /* 1 or 0 */ };

// Unary ops; AddScalar, MulScalar and PowScalar read p0, Clamp clamps to [p0, p1].
enum class UnaryOp { Neg, Abs, Sign, Exp, Log, Sqrt, Sigmoid, Silu, AddScalar, MulScalar, PowScalar, Clamp };

enum class ReduceOp { Sum, Max };

// Rotary pairs: Interleaved (GPT-J, v51) rotates (2i, 2i+1); RotateHalf (NeoX, v52) rotates (i, i+dk/2).
enum class RotaryPairing { Interleaved, RotateHalf };

struct LayerNormResult {
  Tensor y, mean, rstd;  // y [..., D]; mean, rstd [...]
};

struct LayerNormGrads {
  Tensor dx, dgamma, dbeta;
};

// The scalars of one AdamW update (optim/adamw.h has the formula), computed once per step on the
// host from the learning rate and step count; kernels round each to the parameter's dtype.
struct AdamWStep {
  double decay;       // 1 - lr·weight_decay
  double beta1, beta2, eps;
  double step_size;   // lr / (1 - β1^t)
  double bias2_sqrt;  // sqrt(1 - β2^t)
};

}  // namespace pldr
