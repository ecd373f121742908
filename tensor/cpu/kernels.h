// The CPU backend: one kernel per op, over dense outputs and (possibly strided) inputs.
// tensor/ops.cpp validates arguments and allocates outputs; these only compute. Every other
// backend implements the same signatures (tensor/backend.h gathers them into a table).
#pragma once
#include <vector>

#include "tensor/op_types.h"

namespace pldr::cpu {

// a and b are already expanded to out's shape.
void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b);
void unary(UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1);
// x is dense with the reduced axes last: [rows, inner] -> out [rows].
void reduce_rows(ReduceOp op, Tensor& out, const Tensor& x, int64_t inner);
// x is dense [rows, cols] with the reduced axes first: out [cols] reduces each column over rows.
void reduce_columns(ReduceOp op, Tensor& out, const Tensor& x, int64_t rows);
void argmax_rows(Tensor& out, const Tensor& x, int64_t inner);
// a [batch..., M, K] and b [batch..., K, N] already expanded to the same batch dims.
void matmul(Tensor& out, const Tensor& a, const Tensor& b);
// The table's matmul: matmul for float32 and float64; bfloat16 products with few rows read a
// transposed bfloat16 weight directly (tensor/cpu/matmul_bf16.cpp), others widen to float32.
void matmul_any(Tensor& out, const Tensor& a, const Tensor& b);
void expm(Tensor& out, const Tensor& x);                       // dense [batch, N, N]
void expm_frechet(Tensor& out, const Tensor& a, const Tensor& e);
void log_trace_expm(Tensor& out, Tensor* grad, const Tensor& x);  // out [batch]; grad [batch, N, N] or null
void softmax_rows(Tensor& out, const Tensor& x, bool log);     // dense [rows, D]
void softmax_back_rows(Tensor& out, const Tensor& y, const Tensor& g, bool log);
void layer_norm(LayerNormResult& r, const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps);
void layer_norm_back(LayerNormGrads& r, const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                     const Tensor& gamma);
void embedding(Tensor& out, const Tensor& weight, const Tensor& ids);
void embedding_back(Tensor& out, const Tensor& g, const Tensor& ids);
double cross_entropy_sum(const Tensor& logits, const Tensor& targets, int ignore_id);
void cross_entropy_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, double scale);
void rotary(Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse);

// ---- memory and layout ----
void* allocate(size_t bytes);  // 64-byte aligned
void release(void* ptr, size_t bytes);
void memset_zero(void* ptr, size_t bytes);
void copy_bytes(void* dst, const void* src, size_t bytes);  // host <-> host: both copy directions
// out and src are strided views of one shape (src already expanded), any dtypes: out = T_out(src).
void copy(Tensor& out, const Tensor& src);
// Every element of the strided view out = T(value).
void fill(Tensor& out, double value);

// ---- losses and metrics with results that stay tensors (no host read) ----
// logits dense [rows, V], targets dense int32 [rows]. loss [] (logits' dtype) = Σ loss_r / counted,
// the sum as cross_entropy_sum (row losses in double, summed in row order), 0 when counted = 0;
// counted [] int32 = rows with target != ignore_id.
void cross_entropy_mean(Tensor& loss, Tensor& counted, const Tensor& logits, const Tensor& targets, int ignore_id);
// out zero-filled [rows, V] = d(g · loss)/d logits with loss as above: cross_entropy_back with
// scale = double(g) / double(counted); nothing written when counted = 0. g [] logits' dtype, counted [] int32.
void cross_entropy_mean_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& g,
                             const Tensor& counted);
// out dense float64 [2] = {rows with target != ignore_id whose argmax (first maximum) equals the
// target, rows with target != ignore_id}. logits dense [rows, V], targets dense int32 [rows].
void count_correct(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id);

// ---- attention ----
// key_ids dense int32 [B, K]; out dense [B, 1, Q, K] with Q = out.shape()[2] queries at the last Q
// key positions: out[b, 0, s, t] = T(-1e9) when t > K - Q + s (a future key) or key_ids[b, t] ==
// pad_id, else 0.
void attention_mask(Tensor& out, const Tensor& key_ids, int pad_id);

// ---- optimiser ----
// One AdamW update of dense param, m, v from dense grad, all of one dtype T; each scalar of step
// is rounded to T first, then per element (torch 1.13's non-fused order):
//   p *= decay; m = m·β1 + g·(1-β1); v = v·β2 + g·g·(1-β2); p -= step_size · m / (sqrt(v)/bias2_sqrt + eps)
void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step);
// out dense float64 [P]: out[p] = double(T(Σ_i double(T(x_i · x_i)))) for dense xs[p] of dtype T,
// summed in order: the same number as sum(mul(x, x)) read as a double.
void sum_of_squares(Tensor& out, const std::vector<Tensor>& xs);
// out [] float64 = max_norm / (norm + 1e-6) when norm > max_norm, else 1 (PyTorch's clip_grad_norm_).
// norm [] float64.
void clip_coefficient(Tensor& out, const Tensor& norm, double max_norm);

}  // namespace pldr::cpu
