// The CPU backend: one kernel per entry of PLDR_KERNELS (tensor/op_list.h documents each
// layout), over dense outputs and (where the list says so) strided inputs, plus the memory
// functions and the helpers other kernels share. tensor/ops.cpp validates arguments and allocates
// outputs; these only compute. tensor/cpu/backend.cpp gathers them into the CPU table.
#pragma once
#include <vector>

#include "tensor/op_types.h"

namespace pldr::cpu {

#define PLDR_DECLARE_KERNEL(kernel, parameters) void kernel parameters;
PLDR_KERNELS(PLDR_DECLARE_KERNEL)
#undef PLDR_DECLARE_KERNEL

// The table's matmul for float32 and float64 (matmul itself also takes bfloat16: products with
// few rows read a transposed bfloat16 weight directly, tensor/cpu/matmul_bf16.cpp; others widen
// to float32 and come here).
void matmul_float(Tensor& out, const Tensor& a, const Tensor& b, double alpha);

// The cross-entropy sum behind cross_entropy_mean, and d(scale · Σ loss_r)/d logits into a
// zero-filled out [rows, V] (logits [rows, V], targets int32 [rows]).
double cross_entropy_sum(const Tensor& logits, const Tensor& targets, int ignore_id);
void cross_entropy_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, double scale);

// ---- memory ----
void* allocate(size_t bytes);  // 64-byte aligned
void release(void* ptr, size_t bytes);
void memset_zero(void* ptr, size_t bytes);
void copy_bytes(void* dst, const void* src, size_t bytes);  // host <-> host: both copy directions

}  // namespace pldr::cpu
