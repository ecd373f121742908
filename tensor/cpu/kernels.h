// The CPU backend: one kernel per op, over dense outputs and (possibly strided) inputs.
// tensor/ops.cpp validates arguments and allocates outputs; these only compute.
#pragma once
#include "tensor/ops.h"

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

}  // namespace pldr::cpu
