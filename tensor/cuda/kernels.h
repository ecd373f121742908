// The CUDA backend: the kernels of tensor/op_list.h with the same signatures and meaning as the
// CPU's, for float32 and float64, plus the device memory functions (memory.h).
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
#include <vector>
#include "tensor/cuda/memory.h"

#include "tensor/op_types.h"

namespace pldr::cuda {

// Every kernel of PLDR_KERNELS. embedding: a token id outside the vocabulary makes the next
// synchronize() throw (see memory.h). The kernels whose results stay on the device
// (cross_entropy_mean, count_correct, ...) read their scalars (counted, g) on the device; nothing
// waits. sum_of_squares: out[p] = the CUDA sum(mul(xs[p], xs[p])) read as a double (the same
// block-tree order as reduce_rows over the whole tensor, so it may differ from the CPU's
// sequential sum in the last bits).
#define PLDR_DECLARE_KERNEL(kernel, parameters) void kernel parameters;
PLDR_KERNELS(PLDR_DECLARE_KERNEL)
#undef PLDR_DECLARE_KERNEL

// The cross-entropy sum and its gradient with a host scale (as tensor/cpu/kernels.h). The sum
// waits for the device (the result is a host number) and throws for a target outside [0, V).
double cross_entropy_sum(const Tensor& logits, const Tensor& targets, int ignore_id);
void cross_entropy_back(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id, double scale);

}  // namespace pldr::cuda
