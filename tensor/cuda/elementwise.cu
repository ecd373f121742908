// Elementwise kernels over strided views: fill, copy with dtype conversion, binary and unary ops.
// One thread per output element in a grid-stride loop; strided.cuh maps the element's linear
// index to an offset in each operand, so broadcasts (stride 0) and transposes cost nothing extra.
#include <cstdint>

#include "tensor/cuda/dense.h"
#include "tensor/cuda/device_math.cuh"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/runtime.cuh"
#include "tensor/cuda/strided.cuh"

namespace pldr::cuda {

namespace {

template <class T> __device__ __forceinline__ T sigmoid(T x) { return T(1) / (T(1) + math::exp(-x)); }

// clang-format off
// ---- binary ops, as in tensor/cpu/elementwise.cpp ----
struct AddOp { template <class T> __device__ T operator()(T x, T y) const { return x + y; } };
struct SubOp { template <class T> __device__ T operator()(T x, T y) const { return x - y; } };
struct MulOp { template <class T> __device__ T operator()(T x, T y) const { return x * y; } };
struct DivOp { template <class T> __device__ T operator()(T x, T y) const { return x / y; } };
struct PowOp { template <class T> __device__ T operator()(T x, T y) const { return math::pow(x, y); } };
struct EqualOp { template <class T> __device__ T operator()(T x, T y) const { return T(x == y ? 1 : 0); } };
// d/dx [x sigmoid(x)] = sigmoid(x) (1 + x (1 - sigmoid(x)))
struct SiluBackOp {
  template <class T> __device__ T operator()(T x, T g) const {
    const T s = sigmoid(x);
    return g * s * (T(1) + x * (T(1) - s));
  }
};

// silu(x) · y (float and double: the CPU's rounding of silu to the storage type changes nothing)
struct SwiGluOp {
  template <class T> __device__ T operator()(T x, T y) const {
    const T s = x * sigmoid(x);
    return s * y;
  }
};

// ---- unary ops; p0 and p1 are the op's scalars, already in T ----
struct NegOp { template <class T> __device__ T operator()(T v, T, T) const { return -v; } };
struct AbsOp { template <class T> __device__ T operator()(T v, T, T) const { return math::abs(v); } };
struct SignOp { template <class T> __device__ T operator()(T v, T, T) const { return T((v > 0) - (v < 0)); } };
struct ExpOp { template <class T> __device__ T operator()(T v, T, T) const { return math::exp(v); } };
struct LogOp { template <class T> __device__ T operator()(T v, T, T) const { return math::log(v); } };
struct SqrtOp { template <class T> __device__ T operator()(T v, T, T) const { return math::sqrt(v); } };
struct SigmoidOp { template <class T> __device__ T operator()(T v, T, T) const { return sigmoid(v); } };
struct SiluOp { template <class T> __device__ T operator()(T v, T, T) const { return v * sigmoid(v); } };
struct AddScalarOp { template <class T> __device__ T operator()(T v, T s, T) const { return v + s; } };
struct MulScalarOp { template <class T> __device__ T operator()(T v, T s, T) const { return v * s; } };
struct PowScalarOp { template <class T> __device__ T operator()(T v, T s, T) const { return math::pow(v, s); } };
// clang-format on
struct ClampOp {
  template <class T> __device__ T operator()(T v, T lo, T hi) const { return v < lo ? lo : (v > hi ? hi : v); }
};

template <class T> __global__ void fill_kernel(StridedIndex<1> index, T* out, T value) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < index.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t o[1];
    element_offsets(index, i, o);
    out[o[0]] = value;
  }
}

template <class D, class S> __global__ void copy_kernel(StridedIndex<2> index, D* out, const S* src) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < index.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t o[2];
    element_offsets(index, i, o);
    out[o[0]] = static_cast<D>(src[o[1]]);
  }
}

template <class T, class Op>
__global__ void binary_kernel(StridedIndex<3> index, T* out, const T* a, const T* b, Op op) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < index.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t o[3];
    element_offsets(index, i, o);
    out[o[0]] = op(a[o[1]], b[o[2]]);
  }
}

template <class T, class Op>
__global__ void unary_kernel(StridedIndex<2> index, T* out, const T* x, T p0, T p1, Op op) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < index.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t o[2];
    element_offsets(index, i, o);
    out[o[0]] = op(x[o[1]], p0, p1);
  }
}

template <class T, class Op> void launch_binary(Tensor& out, const Tensor& a, const Tensor& b, Op op) {
  const auto index = make_strided_index<3>("binary", out.shape(), {&out.strides(), &a.strides(), &b.strides()});
  if (index.numel == 0) return;
  binary_kernel<T><<<element_blocks(index.numel), kElementThreads, 0, stream()>>>(index, out.data<T>(), a.data<T>(),
                                                                                  b.data<T>(), op);
  PLDR_CUDA_CHECK_LAUNCH("binary");
}

template <class T, class Op> void launch_unary(Tensor& out, const Tensor& x, double p0, double p1, Op op) {
  const auto index = make_strided_index<2>("unary", out.shape(), {&out.strides(), &x.strides()});
  if (index.numel == 0) return;
  unary_kernel<T><<<element_blocks(index.numel), kElementThreads, 0, stream()>>>(
      index, out.data<T>(), x.data<T>(), static_cast<T>(p0), static_cast<T>(p1), op);
  PLDR_CUDA_CHECK_LAUNCH("unary");
}

// The dtypes the CUDA backend stores: float32, float64 and int32 (bfloat16 has no CUDA kernels yet;
// supports() says so before any op gets here).
template <class F> void dispatch_cuda_dtype(DType dt, const char* op, F&& f) {
  if (dt == DType::Int32) return f(int32_t{});
  dispatch_floating(dt, op, std::forward<F>(f));
}

}  // namespace

void fill(Tensor& out, double value) {
  const auto index = make_strided_index<1>("fill", out.shape(), {&out.strides()});
  if (index.numel == 0) return;
  dispatch_cuda_dtype(out.dtype(), "fill", [&](auto tag) {
    using T = decltype(tag);
    fill_kernel<T>
        <<<element_blocks(index.numel), kElementThreads, 0, stream()>>>(index, out.data<T>(), static_cast<T>(value));
    PLDR_CUDA_CHECK_LAUNCH("fill");
  });
}

void copy(Tensor& out, const Tensor& src) {
  if (out.shape() != src.shape())
    throw std::invalid_argument("copy: shapes differ, " + to_string(src.shape()) + " into " + to_string(out.shape()));
  const auto index = make_strided_index<2>("copy", out.shape(), {&out.strides(), &src.strides()});
  if (index.numel == 0) return;
  dispatch_cuda_dtype(out.dtype(), "copy", [&](auto out_tag) {
    using D = decltype(out_tag);
    dispatch_cuda_dtype(src.dtype(), "copy", [&](auto src_tag) {
      using S = decltype(src_tag);
      copy_kernel<D, S>
          <<<element_blocks(index.numel), kElementThreads, 0, stream()>>>(index, out.data<D>(), src.data<S>());
      PLDR_CUDA_CHECK_LAUNCH("copy");
    });
  });
}

Tensor dense_input(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor dense = Tensor::uninitialized(t.shape(), t.dtype(), Device::CUDA);
  copy(dense, t);
  return dense;
}

void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_floating(out.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case BinaryOp::Add: return launch_binary<T>(out, a, b, AddOp{});
      case BinaryOp::Sub: return launch_binary<T>(out, a, b, SubOp{});
      case BinaryOp::Mul: return launch_binary<T>(out, a, b, MulOp{});
      case BinaryOp::Div: return launch_binary<T>(out, a, b, DivOp{});
      case BinaryOp::Pow: return launch_binary<T>(out, a, b, PowOp{});
      case BinaryOp::Equal: return launch_binary<T>(out, a, b, EqualOp{});
      case BinaryOp::SiluBack: return launch_binary<T>(out, a, b, SiluBackOp{});
      case BinaryOp::SwiGlu: return launch_binary<T>(out, a, b, SwiGluOp{});
    }
  });
}

void unary(UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1) {
  dispatch_floating(out.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case UnaryOp::Neg: return launch_unary<T>(out, x, p0, p1, NegOp{});
      case UnaryOp::Abs: return launch_unary<T>(out, x, p0, p1, AbsOp{});
      case UnaryOp::Sign: return launch_unary<T>(out, x, p0, p1, SignOp{});
      case UnaryOp::Exp: return launch_unary<T>(out, x, p0, p1, ExpOp{});
      case UnaryOp::Log: return launch_unary<T>(out, x, p0, p1, LogOp{});
      case UnaryOp::Sqrt: return launch_unary<T>(out, x, p0, p1, SqrtOp{});
      case UnaryOp::Sigmoid: return launch_unary<T>(out, x, p0, p1, SigmoidOp{});
      case UnaryOp::Silu: return launch_unary<T>(out, x, p0, p1, SiluOp{});
      case UnaryOp::AddScalar: return launch_unary<T>(out, x, p0, p1, AddScalarOp{});
      case UnaryOp::MulScalar: return launch_unary<T>(out, x, p0, p1, MulScalarOp{});
      case UnaryOp::PowScalar: return launch_unary<T>(out, x, p0, p1, PowScalarOp{});
      case UnaryOp::Clamp: return launch_unary<T>(out, x, p0, p1, ClampOp{});
    }
  });
}

}  // namespace pldr::cuda
