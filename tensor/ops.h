// Tensor operations without gradients, in namespace pldr::ops (ops::matmul): the kernels
// autograd/ builds on.
//
// Every function checks its arguments, makes one call through the backend table of its operands'
// device (tensor/backend.h) and returns a new dense tensor on that device. Shapes in comments: B batch dims,
// M/K/N matrix sizes, V classes, D the normalised (last) axis.
#pragma once
#include <vector>

#include "tensor/op_types.h"
#include "tensor/tensor.h"

namespace pldr::ops {

// ---- elementwise, broadcasting (NumPy rules) ----
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
inline Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Add, a, b); }
inline Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Sub, a, b); }
inline Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Mul, a, b); }
inline Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Div, a, b); }
inline Tensor pow(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Pow, a, b); }

// In place, dst dense: dst = dst op src (src broadcast to dst's shape), and x = op(x). Accumulating,
// clipping and scaling gradients without new buffers.
void binary_into(BinaryOp op, Tensor& dst, const Tensor& src);
inline void add_into(Tensor& dst, const Tensor& src) { binary_into(BinaryOp::Add, dst, src); }
void unary_into(UnaryOp op, Tensor& x, double p0 = 0, double p1 = 0);

// Unary ops; AddScalar, MulScalar and PowScalar read p0, Clamp clamps to [p0, p1].
Tensor unary(UnaryOp op, const Tensor& x, double p0 = 0, double p1 = 0);
inline Tensor neg(const Tensor& x) { return unary(UnaryOp::Neg, x); }
inline Tensor exp(const Tensor& x) { return unary(UnaryOp::Exp, x); }
inline Tensor log(const Tensor& x) { return unary(UnaryOp::Log, x); }
inline Tensor sqrt(const Tensor& x) { return unary(UnaryOp::Sqrt, x); }
inline Tensor add_scalar(const Tensor& x, double s) { return unary(UnaryOp::AddScalar, x, s); }
inline Tensor mul_scalar(const Tensor& x, double s) { return unary(UnaryOp::MulScalar, x, s); }
inline Tensor pow_scalar(const Tensor& x, double s) { return unary(UnaryOp::PowScalar, x, s); }
inline Tensor clamp(const Tensor& x, double lo, double hi) { return unary(UnaryOp::Clamp, x, lo, hi); }

// ---- reductions ----
// Reduces over `axes` (negative allowed; empty = all axes).
Tensor reduce(ReduceOp op, const Tensor& x, std::vector<int> axes, bool keepdim);
inline Tensor sum(const Tensor& x, std::vector<int> axes = {}, bool keepdim = false) {
  return reduce(ReduceOp::Sum, x, std::move(axes), keepdim);
}
inline Tensor max(const Tensor& x, std::vector<int> axes = {}, bool keepdim = false) {
  return reduce(ReduceOp::Max, x, std::move(axes), keepdim);
}
Tensor mean(const Tensor& x, std::vector<int> axes = {}, bool keepdim = false);
// Sums a broadcast result back down to `shape` (the backward of broadcasting).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);
// The same sum written into `out` (dense, of the target shape and x's dtype): a gradient's slot.
void sum_to_shape_into(Tensor& out, const Tensor& x);
// Index of the largest value along the last axis, int32 [...].
Tensor argmax_last(const Tensor& x);
// The next token of each row of logits [B, V] by `rule` (SampleRule), int32 [B] on the logits'
// device, -1 for a row holding NaN; uniforms float64 [B] in (0, 1) on that device, one draw per
// row (undefined when greedy). The host reads only the ids.
Tensor sample_rows(const Tensor& logits, const Tensor& uniforms, const SampleRule& rule);

// ---- linear algebra ----
// alpha a [B..., M, K] x b [B..., K, N] -> [B..., M, N], batch dims broadcast. Transposed views
// (column-major matrices) are used in place, without copies. alpha scales each accumulated sum
// once, in the product's own pass: in float32 and float64, for K within one GEMM depth block (e.g.
// attention's head_dim), the same numbers as the product followed by mul_scalar; in bfloat16 the
// scaled sum is rounded once where the two passes rounded twice.
Tensor matmul(const Tensor& a, const Tensor& b, double alpha = 1.0);
// The same product written into `out`, dense of the product's shape and dtype.
void matmul_into(Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0);
// Sum of the diagonal of the last two axes: [..., N, N] -> [...].
Tensor trace(const Tensor& x);
// Identity [n, n].
Tensor eye(int64_t n, DType dtype, Device device = Device::CPU);
// Matrix exponential of [..., N, N] by scaling and squaring with a [13/13] Padé approximant.
Tensor expm(const Tensor& x);
// Fréchet derivative L(A, E) = d/dt expm(A + tE) at t=0, per batch matrix.
Tensor expm_frechet(const Tensor& a, const Tensor& e);
// log(tr(expm(X))) per matrix, [..., N, N] -> [...], evaluated in float64 with the squaring phase
// renormalised (exp(X) = R·e^k, max|R| = 1), so a trace beyond any dtype's range stays finite; and
// its gradient expm(X)ᵀ / tr(expm(X)) [..., N, N]. The DAG regulariser's core (docs/pldr-llm.md §12).
Tensor log_trace_expm(const Tensor& x);
Tensor log_trace_expm_grad(const Tensor& x);

// ---- normalisation and probabilities (last axis) ----
Tensor softmax(const Tensor& x);
// softmax(x + mask) in one pass, mask of x's dtype broadcastable to x (the attention mask [B, 1, Q, K]
// against scores [B, H, Q, K]); x + mask is rounded to the dtype as add() would, so the result is
// softmax(add(x, mask)) exactly, without the masked tensor (bfloat16 on the CPU sums in float32,
// which for a mask of 0 and -1e9 changes nothing). An undefined mask is no mask.
Tensor softmax(const Tensor& x, const Tensor& mask);
Tensor log_softmax(const Tensor& x);
Tensor softmax_back(const Tensor& y, const Tensor& g);      // y = softmax(x): y * (g - sum(g y))
Tensor log_softmax_back(const Tensor& y, const Tensor& g);  // y = log_softmax(x): g - exp(y) sum(g)

LayerNormResult layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps);
// dgamma and dbeta are written into dgamma_into and dbeta_into where those are defined (dense,
// gamma's shape and x's dtype), else into new buffers.
LayerNormGrads layer_norm_back(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                               const Tensor& gamma, const Tensor& dgamma_into = {}, const Tensor& dbeta_into = {});

// ---- indexing ----
Tensor embedding(const Tensor& weight, const Tensor& ids);  // [V, D], int32 [...] -> [..., D]
// Scatter-add -> [V, D], into `into` when defined (dense [V, D]; zeroed first), else a new buffer.
Tensor embedding_back(const Tensor& g, const Tensor& ids, int64_t vocab, Tensor into = {});
Tensor concat(const std::vector<Tensor>& parts, int axis);

// ---- losses ----
// Mean cross-entropy of logits [..., V] against int32 targets [...], skipping targets == ignore_id.
// Both results stay on the device: nothing is read back to the host.
struct CrossEntropyResult {
  Tensor loss;     // [] logits' dtype; 0 when every target is ignored (PyTorch gives NaN)
  Tensor counted;  // [] int32: targets that were not ignored
};
CrossEntropyResult cross_entropy(const Tensor& logits, const Tensor& targets, int ignore_id);
// d(g · loss) / d logits for g [] (the upstream gradient of the scalar loss, logits' dtype) and
// counted from cross_entropy.
Tensor cross_entropy_back(const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& counted,
                          const Tensor& g);
// float64 [2] = {targets != ignore_id equal to the argmax (first maximum) of their logits [..., V],
// targets != ignore_id}: accuracy is the first over the second.
Tensor count_correct(const Tensor& logits, const Tensor& targets, int ignore_id);

// ---- optimiser ----
// One AdamW update in place (the formula: tensor/op_list.h adamw_update): param, m and v dense
// tensors of one shape, dtype and device; grad of the same shape on that device (converted to
// param's dtype first when it differs).
void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step);
// [] float64 on the tensors' device: sqrt(Σ_p sum(mul(x_p, x_p))), each tensor's sum rounded to its
// dtype as sum() does. Every tensor on one device; an empty list gives 0 on the CPU.
Tensor global_norm(const std::vector<Tensor>& xs);
// [] float64: max_norm / (norm + 1e-6) when norm > max_norm, else 1, for norm [] float64.
Tensor clip_coefficient(const Tensor& norm, double max_norm);

// ---- rotary position embedding (docs/pldr-llm.md §3.3 step 2) ----
// x [B, S, H, dk]; cos, sin float32 [S, dk/2] (angle p·θ_i of each position and pair), cast to
// x's dtype before multiplying. Interleaved (GPT-J, v51) pairs (2i, 2i+1); RotateHalf (NeoX, v52)
// pairs (i, i+dk/2). inverse = true rotates by -angle: the backward of the rotation.
Tensor rotary(const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse);

// ---- attention masks (docs/pldr-llm.md §3.3, §12) ----
// Additive mask [B, 1, Q, K] in `dtype` on key_ids' device for Q queries at the last Q of the K
// keys key_ids int32 [B, K]: -1e9 where the key is in a query's future or is pad_id, else 0 (the
// reference adds -1e9·mask to the scores).
Tensor attention_mask(const Tensor& key_ids, int64_t num_queries, DType dtype, int pad_id);

}  // namespace pldr::ops
