// sample_rows on the CPU: each row widened to double and run through tensor/sample_row.h, the
// rows in parallel (each row's arithmetic is sequential, so the tokens do not depend on threads).
#include <vector>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/sample_row.h"

namespace pldr::cpu {

void sample_rows(Tensor& out, const Tensor& logits, const Tensor& uniforms, const SampleRule& rule) {
  const int64_t rows = out.numel(), V = logits.shape().back();
  const double* pu = rule.greedy ? nullptr : uniforms.data<double>();
  int32_t* po = out.data<int32_t>();
  dispatch_floating(logits.dtype(), "sample_rows", [&](auto tag) {
    using T = decltype(tag);
    const T* pl = logits.data<T>();
#pragma omp parallel for schedule(static) if (rows > 1 && rows * V >= kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r)
      po[r] = pick_row(std::vector<double>(pl + r * V, pl + (r + 1) * V), rule, pu ? pu[r] : 0.0);
  });
}

}  // namespace pldr::cpu
