// Batched matrix products (out = alpha a b) through cuBLAS, float32 (no TF32) and float64, following the plan of
// matmul_plan.h (transposed views in place through op flags, strided-batched calls).
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/matmul_plan.h"
#include "tensor/cuda/runtime.cuh"

namespace pldr::cuda {

namespace {

int blas_int(int64_t v, const char* what) {
  if (v > INT_MAX)
    throw std::invalid_argument(std::string("matmul: ") + what + " " + std::to_string(v) +
                                " exceeds cuBLAS's int range");
  return static_cast<int>(v);
}

cublasOperation_t op(bool transpose) { return transpose ? CUBLAS_OP_T : CUBLAS_OP_N; }

template <class T> void run(const GemmCall& c, T* out, const T* a, const T* b, T alpha) {
  constexpr bool is_float = std::is_same_v<T, float>;
  constexpr cudaDataType_t type = is_float ? CUDA_R_32F : CUDA_R_64F;
  // CUBLAS_COMPUTE_32F is plain float32 arithmetic (TF32 would be CUBLAS_COMPUTE_32F_FAST_TF32).
  constexpr cublasComputeType_t compute = is_float ? CUBLAS_COMPUTE_32F : CUBLAS_COMPUTE_64F;
  const T zero = 0;
  PLDR_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      blas(), op(c.transpose_first), op(c.transpose_second), blas_int(c.m, "size"), blas_int(c.n, "size"),
      blas_int(c.k, "size"), &alpha, b + c.offset_first, type, blas_int(c.ld_first, "leading dimension"),
      c.stride_first, a + c.offset_second, type, blas_int(c.ld_second, "leading dimension"), c.stride_second, &zero,
      out + c.offset_out, type, blas_int(c.ld_out, "leading dimension"), c.stride_out, blas_int(c.count, "batch"),
      compute, CUBLAS_GEMM_DEFAULT));
}

}  // namespace

void matmul(Tensor& out, const Tensor& a_in, const Tensor& b_in, double alpha) {
  MatrixLayout layout;
  const Tensor a = matrix_layout(a_in, &layout) ? a_in : dense_input(a_in);
  const Tensor b = matrix_layout(b_in, &layout) ? b_in : dense_input(b_in);
  if (out.numel() == 0) return;
  dispatch_floating(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    if (a.shape().back() == 0) {  // K = 0: an empty sum
      memset_zero(out.data<T>(), sizeof(T) * size_t(out.numel()));
      return;
    }
    for (const GemmCall& c : plan_matmul(out, a, b))
      run<T>(c, out.data<T>(), a.data<T>(), b.data<T>(), static_cast<T>(alpha));
  });
}

}  // namespace pldr::cuda
