// The op vocabulary shared by the public ops (tensor/ops.h) and every backend's kernels
// (tensor/cpu/, tensor/cuda/): the enums that select a variant of an op, and the small structs
// that carry an op's several results or its scalar settings. Kernels include this header, never
// tensor/ops.h.
#pragma once
#include "tensor/op_list.h"
#include "tensor/tensor.h"

namespace pldr {

// Every op a caller can ask supports() about (tensor/op_list.h), and its name ("add", "matmul").
enum class Op {
#define PLDR_OP_ENUMERATOR(op, name, cpu, cuda) op,
  PLDR_OPS(PLDR_OP_ENUMERATOR)
#undef PLDR_OP_ENUMERATOR
};
const char* op_name(Op op);
#define PLDR_COUNT_OP(op, name, cpu, cuda) +1
inline constexpr int kOpCount = 0 PLDR_OPS(PLDR_COUNT_OP);  // Op's enumerators are 0 .. kOpCount-1
#undef PLDR_COUNT_OP

// The variants of the binary, unary and reduce kernels, each named as its op, and that op.
#define PLDR_VARIANT_ENUMERATOR(op, name, cpu, cuda) op,
#define PLDR_VARIANT_TO_OP(op, name, cpu, cuda) \
  case variant::op: return Op::op;
enum class BinaryOp { PLDR_BINARY_OPS(PLDR_VARIANT_ENUMERATOR) };
enum class UnaryOp { PLDR_UNARY_OPS(PLDR_VARIANT_ENUMERATOR) };
enum class ReduceOp { PLDR_REDUCE_OPS(PLDR_VARIANT_ENUMERATOR) };
constexpr Op op_of(BinaryOp v) {
  using variant = BinaryOp;
  switch (v) { PLDR_BINARY_OPS(PLDR_VARIANT_TO_OP) }
  return Op::Add;
}
constexpr Op op_of(UnaryOp v) {
  using variant = UnaryOp;
  switch (v) { PLDR_UNARY_OPS(PLDR_VARIANT_TO_OP) }
  return Op::Neg;
}
constexpr Op op_of(ReduceOp v) {
  using variant = ReduceOp;
  switch (v) { PLDR_REDUCE_OPS(PLDR_VARIANT_TO_OP) }
  return Op::Sum;
}
#undef PLDR_VARIANT_ENUMERATOR
#undef PLDR_VARIANT_TO_OP

// Rotary pairs: Interleaved (GPT-J, v51) rotates (2i, 2i+1); RotateHalf (NeoX, v52) rotates (i, i+dk/2).
enum class RotaryPairing { Interleaved, RotateHalf };

struct LayerNormResult {
  Tensor y, mean, rstd;  // y [..., D]; mean, rstd [...]
};

struct LayerNormGrads {
  Tensor dx, dgamma, dbeta;
};

// How sample_rows picks each row's token (pldr/sampling.h: the options it comes from). Greedy
// takes the first maximum. Otherwise, on the logits in double: divide by temperature; top-p (when
// top_p < 1) with the reference's nucleus or, when nucleus_keeps_crossing, Hugging Face's; top-k
// (when 0 < top_k < V) before top-p for Hugging Face's rule, after it for the reference's;
// then a categorical draw with the row's uniform. tensor/sample_row.h states it exactly.
struct SampleRule {
  bool greedy = false;
  double temperature = 1;
  int64_t top_k = 0;
  double top_p = 1;
  bool nucleus_keeps_crossing = false;
};

// The scalars of one AdamW update (optim/adamw.h has the formula), computed once per step on the
// host from the learning rate and step count; kernels round each to the parameter's dtype.
struct AdamWStep {
  double decay;  // 1 - lr·weight_decay
  double beta1, beta2, eps;
  double step_size;   // lr / (1 - β1^t)
  double bias2_sqrt;  // sqrt(1 - β2^t)
};

}  // namespace pldr
