// The precision policy of a run (training.precision in the run configuration), applied the way
// PyTorch's autocast applies its own: a thread-local mode that ag::matmul consults.
//
//   "float32":    everything in the parameters' dtype (the default).
//   "bf16-mixed": parameters, their gradients and the AdamW moments stay float32 (so gradients
//                 accumulate in float32); each matrix product casts its operands to bfloat16,
//                 multiplies them with float32 accumulation, and hands a float32 result on. The
//                 casts are on the tape: a product's input gradients come back as float32.
//
// What stays float32, and why (the reference's torch.autocast(dtype=bfloat16) keeps the same
// ops in float32: softmax, layer_norm, the losses, exp/log/pow and the linalg ops are on its
// float32 list):
//   - softmax, layer norm, the cross-entropy and every reduction: sums of many terms whose
//     rounding bfloat16's 8 significant bits would dominate;
//   - the power law and the matrix exponential (PLGA's metric deduction, pldr/attention.cpp
//     opens a Float32 scope around it): a power of a value near 0 and a matrix series amplify
//     relative errors, and the reference runs them in float32;
//   - elementwise ops: they run in float32 here because a product hands on a float32 result.
//     PyTorch autocast runs them in bfloat16 when both inputs are bfloat16; on the CPU our
//     bfloat16 elementwise kernels are no faster than float32 ones, so this costs nothing and
//     keeps every op's operands in one dtype (the tensor ops do not promote mixed dtypes).
#pragma once
#include <string>

#include "tensor/dtype.h"

namespace pldr::ag {

enum class Precision { Float32, BFloat16Mixed };

Precision precision_from_name(const std::string& name);  // "float32" | "bf16-mixed"; throws naming the value
const char* precision_name(Precision p);

// This thread's policy (Float32 unless a guard says otherwise).
Precision autocast_precision();

// Sets this thread's policy for its scope and restores the previous one after.
class AutocastGuard {
 public:
  explicit AutocastGuard(Precision p);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  Precision previous_;
};

// The dtype a matrix product of `dtype` operands runs in under the current policy.
DType matmul_compute_dtype(DType dtype);

}  // namespace pldr::ag
