// Elementwise kernels: each op is a small functor applied over strided operands.
#include <cmath>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

namespace {

template <class T> T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }

template <class T, class F>
void binary_loop(Tensor& out, const Tensor& a, const Tensor& b, F f) {
  T* o = out.data<T>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  for_each_element<3>({out.shape(), {0, 0, 0}, {out.strides(), a.strides(), b.strides()}},
                      [&](const auto& off) { o[off[0]] = f(pa[off[1]], pb[off[2]]); });
}

template <class T, class F>
void unary_loop(Tensor& out, const Tensor& x, F f) {
  T* o = out.data<T>();
  const T* px = x.data<T>();
  for_each_element<2>({out.shape(), {0, 0}, {out.strides(), x.strides()}},
                      [&](const auto& off) { o[off[0]] = f(px[off[1]]); });
}

}  // namespace

void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_floating(out.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case BinaryOp::Add: return binary_loop<T>(out, a, b, [](T x, T y) { return x + y; });
      case BinaryOp::Sub: return binary_loop<T>(out, a, b, [](T x, T y) { return x - y; });
      case BinaryOp::Mul: return binary_loop<T>(out, a, b, [](T x, T y) { return x * y; });
      case BinaryOp::Div: return binary_loop<T>(out, a, b, [](T x, T y) { return x / y; });
      case BinaryOp::Pow: return binary_loop<T>(out, a, b, [](T x, T y) { return std::pow(x, y); });
      case BinaryOp::Equal: return binary_loop<T>(out, a, b, [](T x, T y) { return T(x == y ? 1 : 0); });
      case BinaryOp::SiluBack:
        // d/dx [x sigmoid(x)] = sigmoid(x) (1 + x (1 - sigmoid(x)))
        return binary_loop<T>(out, a, b, [](T x, T g) {
          T s = sigmoid(x);
          return g * s * (T(1) + x * (T(1) - s));
        });
    }
  });
}

void unary(UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1) {
  dispatch_floating(out.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    const T s0 = static_cast<T>(p0), s1 = static_cast<T>(p1);
    switch (op) {
      case UnaryOp::Neg: return unary_loop<T>(out, x, [](T v) { return -v; });
      case UnaryOp::Abs: return unary_loop<T>(out, x, [](T v) { return std::abs(v); });
      case UnaryOp::Sign: return unary_loop<T>(out, x, [](T v) { return T((v > 0) - (v < 0)); });
      case UnaryOp::Exp: return unary_loop<T>(out, x, [](T v) { return std::exp(v); });
      case UnaryOp::Log: return unary_loop<T>(out, x, [](T v) { return std::log(v); });
      case UnaryOp::Sqrt: return unary_loop<T>(out, x, [](T v) { return std::sqrt(v); });
      case UnaryOp::Sigmoid: return unary_loop<T>(out, x, [](T v) { return sigmoid(v); });
      case UnaryOp::Silu: return unary_loop<T>(out, x, [](T v) { return v * sigmoid(v); });
      case UnaryOp::AddScalar: return unary_loop<T>(out, x, [s0](T v) { return v + s0; });
      case UnaryOp::MulScalar: return unary_loop<T>(out, x, [s0](T v) { return v * s0; });
      case UnaryOp::PowScalar: return unary_loop<T>(out, x, [s0](T v) { return std::pow(v, s0); });
      case UnaryOp::Clamp: return unary_loop<T>(out, x, [s0, s1](T v) { return v < s0 ? s0 : (v > s1 ? s1 : v); });
    }
  });
}

}  // namespace pldr::cpu
