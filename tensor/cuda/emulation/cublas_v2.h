// Stands in for cuBLAS in the host emulation: only the types runtime.cuh names (matmul is not
// emulated; its plan is plain C++).
#pragma once
using cublasStatus_t = int;
using cublasHandle_t = void*;
constexpr int CUBLAS_STATUS_SUCCESS = 0;
