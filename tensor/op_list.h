// The op list: written once, everything else is generated from it.
//
//   PLDR_KERNELS   every kernel of the backend table with its signature. From it come the table's
//                  fields (tensor/backend.h), each backend's declarations (tensor/cpu/kernels.h,
//                  tensor/cuda/kernels.h) and each backend's table entries (cpu/backend.cpp,
//                  cuda/backend.cpp): a backend that lacks a kernel does not link.
//   PLDR_*_OPS     every op a caller can ask supports() about, with its name and the dtypes each
//                  backend runs it for. From it come the enum Op, op_name(), the variant enums
//                  BinaryOp, UnaryOp and ReduceOp (tensor/op_types.h) and both supports().
//                  tests/tensor/op_list_test.cpp fails when an op has no case in the op-case table
//                  (tests/tensor/op_cases.h).
//
// Adding an op: one line here, one kernel per backend, the op in tensor/ops.h and ops.cpp, its
// autograd rule (autograd/), and one row in the op-case table. docs/framework.md §5 walks through it.
//
// Kernels take outputs first; tensor/ops.cpp has checked the arguments and allocated the outputs.
// Inputs may be strided views where a comment says so, else they are dense.
#pragma once
#include "tensor/dtype.h"

namespace pldr {

// A set of dtypes, for the dtype columns of the op lists.
struct DTypeSet {
  unsigned bits = 0;
  constexpr bool contains(DType d) const { return (bits >> static_cast<unsigned>(d)) & 1u; }
};
constexpr DTypeSet operator|(DTypeSet a, DTypeSet b) { return {a.bits | b.bits}; }
inline constexpr DTypeSet kF32{1u << static_cast<unsigned>(DType::Float32)};
inline constexpr DTypeSet kF64{1u << static_cast<unsigned>(DType::Float64)};
inline constexpr DTypeSet kI32{1u << static_cast<unsigned>(DType::Int32)};
inline constexpr DTypeSet kBF16{1u << static_cast<unsigned>(DType::BFloat16)};

}  // namespace pldr

// The lists are laid out by hand, one entry a line.
// clang-format off

// X(kernel, (parameters)): every kernel returns void.
#define PLDR_KERNELS(X)                                                                                                  \
  /* out and src strided views of one shape (src already expanded, stride 0 where broadcast), any dtypes: out = T_out(src) */ \
  X(copy, (Tensor& out, const Tensor& src))                                                                             \
  /* every element of the strided view out = T(value) */                                                                 \
  X(fill, (Tensor& out, double value))                                                                                  \
  /* strided a and b already expanded to out's shape */                                                                  \
  X(binary, (BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b))                                              \
  /* strided x; AddScalar, MulScalar and PowScalar read p0, Clamp clamps to [p0, p1] */                                  \
  X(unary, (UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1))                                           \
  /* x [rows, inner] with the reduced axes last -> out [rows] */                                                         \
  X(reduce_rows, (ReduceOp op, Tensor& out, const Tensor& x, int64_t inner))                                           \
  /* x [rows, cols] with the reduced axes first -> out [cols], each column reduced over rows */                          \
  X(reduce_columns, (ReduceOp op, Tensor& out, const Tensor& x, int64_t rows))                                         \
  /* x [rows, inner] -> out int32 [rows]: the first maximum of each row (NaN counts as largest) */                       \
  X(argmax_rows, (Tensor& out, const Tensor& x, int64_t inner))                                                         \
  /* strided a [batch..., M, K] and b [batch..., K, N] already expanded to the same batch dims: out = alpha a b */     \
  X(matmul, (Tensor& out, const Tensor& a, const Tensor& b, double alpha))                                              \
  /* x [batch, N, N] -> expm(x) */                                                                                       \
  X(expm, (Tensor& out, const Tensor& x))                                                                               \
  /* the Fréchet derivative L(a, e) of expm per batch matrix */                                                          \
  X(expm_frechet, (Tensor& out, const Tensor& a, const Tensor& e))                                                      \
  /* out [batch] = log tr expm(x); grad [batch, N, N] = expm(x)ᵀ / tr expm(x), or null */                                \
  X(log_trace_expm, (Tensor& out, Tensor* grad, const Tensor& x))                                                      \
  /* x dense [rows..., D] -> softmax (or log_softmax) over D of x + mask; mask undefined or x's shape with a dense     \
     last axis (stride 0 on broadcast axes) */                                                                           \
  X(softmax_rows, (Tensor& out, const Tensor& x, const Tensor& mask, bool log))                                         \
  /* y = softmax(x) (or log_softmax), g upstream [rows, D] -> d/dx */                                                    \
  X(softmax_back_rows, (Tensor& out, const Tensor& y, const Tensor& g, bool log))                                       \
  /* x [rows, D], gamma and beta [D] -> y [rows, D], mean and rstd [rows] */                                             \
  X(layer_norm, (LayerNormResult& r, const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps))            \
  /* dx written row by row; dgamma and dbeta written in full (sums over rows) */                                       \
  X(layer_norm_back,                                                                                                     \
    (LayerNormGrads& r, const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& gamma)) \
  /* weight [V, D], ids int32 [n] -> out [n, D] */                                                                       \
  X(embedding, (Tensor& out, const Tensor& weight, const Tensor& ids))                                                  \
  /* out zero-filled [V, D] += g [n, D] scattered to the rows of ids int32 [n] */                                        \
  X(embedding_back, (Tensor& out, const Tensor& g, const Tensor& ids))                                                  \
  /* logits [rows, V], targets int32 [rows]: loss [] (logits' dtype) = Σ loss_r / counted (row losses in double,        \
     summed in row order; 0 when counted = 0), counted [] int32 = rows with target != ignore_id */                       \
  X(cross_entropy_mean, (Tensor& loss, Tensor& counted, const Tensor& logits, const Tensor& targets, int ignore_id))   \
  /* out [rows, V], written in full, = d(g · loss)/d logits, loss as above; g [] logits' dtype, counted [] int32;       \
     zeros when counted = 0 */                                                                                 \
  X(cross_entropy_mean_back,                                                                                             \
    (Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& g, const Tensor& counted))  \
  /* out float64 [2] = {rows with target != ignore_id whose argmax (first maximum) is the target, such rows};            \
     logits [rows, V], targets int32 [rows] */                                                                           \
  X(count_correct, (Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id))                           \
  /* logits [B, V] dense, uniforms float64 [B] in (0, 1) (unread when greedy) -> out int32 [B]: each row's token by     \
     the rule (tensor/sample_row.h has the arithmetic, in double), -1 for a row holding NaN */                           \
  X(sample_rows, (Tensor& out, const Tensor& logits, const Tensor& uniforms, const SampleRule& rule))                   \
  /* x [B, S, H, dk]; cos, sin float32 [S, dk/2]; inverse rotates by -angle */                                           \
  X(rotary, (Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse))  \
  /* key_ids int32 [B, K] -> out [B, 1, Q, K] for the Q queries at the last Q key positions: T(-1e9) where             \
     t > K - Q + s (a future key) or key_ids[b, t] == pad_id, else 0 */                                                  \
  X(attention_mask, (Tensor& out, const Tensor& key_ids, int pad_id))                                                   \
  /* one AdamW update of param, m, v from grad, all of one dtype T; each scalar of step rounded to T first, then      \
     per element (torch 1.13's non-fused order): p *= decay; m = m·β1 + g·(1-β1); v = v·β2 + g·g·(1-β2);                \
     p -= step_size · m / (sqrt(v)/bias2_sqrt + eps) */                                                                  \
  X(adamw_update, (Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step))                   \
  /* out float64 [P]: out[p] = Σ_i xs[p]_i² with each tensor's sum rounded to its dtype, as sum(mul(x, x)) */            \
  X(sum_of_squares, (Tensor& out, const std::vector<Tensor>& xs))                                                       \
  /* out [] float64 = max_norm / (norm + 1e-6) when norm > max_norm, else 1 (PyTorch's clip_grad_norm_) */               \
  X(clip_coefficient, (Tensor& out, const Tensor& norm, double max_norm))

// X(Op, "name", CPU dtypes, CUDA dtypes): the dtype of the floating operand (ids and targets are
// int32). The CPU runs bfloat16 natively in copy, fill, the elementwise ops and matmul, and through
// float32 (tensor/cpu/via_float.h) elsewhere; the matrix exponential family and AdamW stay in
// float32 under the mixed-precision policy, so they have no bfloat16 form.
#define PLDR_FLOATING_CPU kF32 | kF64 | kBF16
#define PLDR_FLOATING_CUDA kF32 | kF64

// The elementwise binary ops over broadcast operands (kernel: binary).
#define PLDR_BINARY_OPS(X)                                               \
  X(Add, "add", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Sub, "sub", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Mul, "mul", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Div, "div", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Pow, "pow", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  /* (x, g) -> g · silu'(x) */                                           \
  X(SiluBack, "silu_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)        \
  /* (x, y) -> silu(x) · y, silu(x) rounded to the storage dtype first */ \
  X(SwiGlu, "swiglu", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)             \
  /* 1 where equal, else 0 */                                            \
  X(Equal, "equal", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)

// The elementwise unary ops (kernel: unary).
#define PLDR_UNARY_OPS(X)                                                \
  X(Neg, "neg", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Abs, "abs", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Sign, "sign", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                 \
  X(Exp, "exp", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Log, "log", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Sqrt, "sqrt", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                 \
  X(Sigmoid, "sigmoid", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)           \
  X(Silu, "silu", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                 \
  X(AddScalar, "add_scalar", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)      \
  X(MulScalar, "mul_scalar", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)      \
  X(PowScalar, "pow_scalar", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)      \
  X(Clamp, "clamp", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)

// The reductions (kernels: reduce_rows, reduce_columns).
#define PLDR_REDUCE_OPS(X)                                               \
  X(Sum, "sum", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                   \
  X(Max, "max", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)

// The other ops, each named after its kernel.
#define PLDR_OTHER_OPS(X)                                                                       \
  X(Copy, "copy", kF32 | kF64 | kI32 | kBF16, kF32 | kF64 | kI32)                               \
  X(Fill, "fill", kF32 | kF64 | kI32 | kBF16, kF32 | kF64 | kI32)                               \
  X(Argmax, "argmax", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                                    \
  X(Matmul, "matmul", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                                    \
  X(Expm, "expm", kF32 | kF64, PLDR_FLOATING_CUDA)                                              \
  X(ExpmFrechet, "expm_frechet", kF32 | kF64, PLDR_FLOATING_CUDA)                               \
  X(LogTraceExpm, "log_trace_expm", kF32 | kF64, PLDR_FLOATING_CUDA)                            \
  X(Softmax, "softmax", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                                  \
  X(LogSoftmax, "log_softmax", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                           \
  X(SoftmaxBack, "softmax_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                         \
  X(LogSoftmaxBack, "log_softmax_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                  \
  X(LayerNorm, "layer_norm", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                             \
  X(LayerNormBack, "layer_norm_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                    \
  X(Embedding, "embedding", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                              \
  X(EmbeddingBack, "embedding_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                     \
  X(CrossEntropy, "cross_entropy", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                       \
  X(CrossEntropyBack, "cross_entropy_back", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)              \
  X(CountCorrect, "count_correct", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                       \
  X(SampleRows, "sample_rows", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                           \
  X(Rotary, "rotary", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                                    \
  X(AttentionMask, "attention_mask", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                     \
  X(AdamW, "adamw", kF32 | kF64, PLDR_FLOATING_CUDA)                                            \
  X(SumOfSquares, "sum_of_squares", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)                      \
  X(ClipCoefficient, "clip_coefficient", PLDR_FLOATING_CPU, PLDR_FLOATING_CUDA)

#define PLDR_OPS(X) PLDR_BINARY_OPS(X) PLDR_UNARY_OPS(X) PLDR_REDUCE_OPS(X) PLDR_OTHER_OPS(X)

// clang-format on
