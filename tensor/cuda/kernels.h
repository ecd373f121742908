// The CUDA backend: the kernels of tensor/cpu/kernels.h with the same signatures and meaning,
// for float32 and float64, plus the device memory functions (memory.h), fill and strided copy.
//
// Tensors passed here live on the CUDA device (their data<T>() pointers are device pointers).
// Outputs are dense and written in full (also where the CPU kernels rely on ops.cpp having
// zero-filled them). Inputs may be strided views: binary, unary, matmul and copy read them in
// place; the row kernels first copy a non-dense input to dense device memory. Every call only
// queues work on the backend's one
// stream and returns; cross_entropy_sum, copy_to_host and synchronize wait for the device.
// Plain C++: includable from code that does not know CUDA. README.md lists how each kernel is
// parallelised.
#pragma once
#include "tensor/cuda/memory.h"
#include <vector>

#include "tensor/op_types.h"

namespace pldr::cuda {

// out (any strided view, any dtype) = value converted to out's dtype.
void fill(Tensor& out, double value);
// out (any strided view) = src of the same shape (a strided view, stride 0 where broadcast),
// converted between float32, float64 and int32 as static_cast does.
void copy(Tensor& out, const Tensor& src);

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
// A token id outside the vocabulary makes the next synchronize() throw (see memory.h).
void embedding(Tensor& out, const Tensor& weight, const Tensor& ids);
void embedding_back(Tensor& out, const Tensor& g, const Tensor& ids);
// Waits for the device (the result is a host number); throws for a target outside [0, V).
double cross_entropy_sum(const Tensor& logits, const Tensor& targets, int ignore_id);
void cross_entropy_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, double scale);
void rotary(Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse);

// The kernels whose results stay on the device (no host read, nothing waits); meanings and
// layouts as in tensor/cpu/kernels.h. Scalars such as counted and g are read by the kernels.
void cross_entropy_mean(Tensor& loss, Tensor& counted, const Tensor& logits, const Tensor& targets, int ignore_id);
void cross_entropy_mean_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& g,
                             const Tensor& counted);
void count_correct(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id);
void attention_mask(Tensor& out, const Tensor& key_ids, int pad_id);
void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step);
// out[p] = the CUDA sum(mul(xs[p], xs[p])) read as a double (the same block-tree order as
// reduce_rows over the whole tensor, so it may differ from the CPU's sequential sum in the last bits).
void sum_of_squares(Tensor& out, const std::vector<Tensor>& xs);
void clip_coefficient(Tensor& out, const Tensor& norm, double max_norm);

}  // namespace pldr::cuda
