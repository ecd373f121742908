// Elementwise kernels: each op is a small functor applied over strided operands. Storage may be
// float32, float64 or bfloat16; the functor computes in T = accumulate_t<storage> (float for
// bfloat16), so a bfloat16 result is rounded once, when it is stored.
#include <cmath>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

namespace {

template <class T> T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }

template <class S, class F> void binary_loop(Tensor& out, const Tensor& a, const Tensor& b, F f) {
  using T = accumulate_t<S>;
  S* o = out.data<S>();
  const S* pa = a.data<S>();
  const S* pb = b.data<S>();
  for_each_element<3>({out.shape(), {0, 0, 0}, {out.strides(), a.strides(), b.strides()}},
                      [&](const auto& off) { o[off[0]] = S(f(T(pa[off[1]]), T(pb[off[2]]))); });
}

template <class S, class F> void unary_loop(Tensor& out, const Tensor& x, F f) {
  using T = accumulate_t<S>;
  S* o = out.data<S>();
  const S* px = x.data<S>();
  for_each_element<2>({out.shape(), {0, 0}, {out.strides(), x.strides()}},
                      [&](const auto& off) { o[off[0]] = S(f(T(px[off[1]]))); });
}

}  // namespace

void binary(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_storage_floating(out.dtype(), "binary", [&](auto tag) {
    using S = decltype(tag);
    using T = accumulate_t<S>;
    switch (op) {
      case BinaryOp::Add: return binary_loop<S>(out, a, b, [](T x, T y) { return x + y; });
      case BinaryOp::Sub: return binary_loop<S>(out, a, b, [](T x, T y) { return x - y; });
      case BinaryOp::Mul: return binary_loop<S>(out, a, b, [](T x, T y) { return x * y; });
      case BinaryOp::Div: return binary_loop<S>(out, a, b, [](T x, T y) { return x / y; });
      case BinaryOp::Pow: return binary_loop<S>(out, a, b, [](T x, T y) { return std::pow(x, y); });
      case BinaryOp::Equal: return binary_loop<S>(out, a, b, [](T x, T y) { return T(x == y ? 1 : 0); });
      case BinaryOp::SwiGlu: return binary_loop<S>(out, a, b, [](T x, T y) { return T(S(x * sigmoid(x))) * y; });
      case BinaryOp::SiluBack:
        // d/dx [x sigmoid(x)] = sigmoid(x) (1 + x (1 - sigmoid(x)))
        return binary_loop<S>(out, a, b, [](T x, T g) {
          T s = sigmoid(x);
          return g * s * (T(1) + x * (T(1) - s));
        });
    }
  });
}

void unary(UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1) {
  dispatch_storage_floating(out.dtype(), "unary", [&](auto tag) {
    using S = decltype(tag);
    using T = accumulate_t<S>;
    const T s0 = static_cast<T>(p0), s1 = static_cast<T>(p1);
    switch (op) {
      case UnaryOp::Neg: return unary_loop<S>(out, x, [](T v) { return -v; });
      case UnaryOp::Abs: return unary_loop<S>(out, x, [](T v) { return std::abs(v); });
      case UnaryOp::Sign: return unary_loop<S>(out, x, [](T v) { return T((v > 0) - (v < 0)); });
      case UnaryOp::Exp: return unary_loop<S>(out, x, [](T v) { return std::exp(v); });
      case UnaryOp::Log: return unary_loop<S>(out, x, [](T v) { return std::log(v); });
      case UnaryOp::Sqrt: return unary_loop<S>(out, x, [](T v) { return std::sqrt(v); });
      case UnaryOp::Sigmoid: return unary_loop<S>(out, x, [](T v) { return sigmoid(v); });
      case UnaryOp::Silu: return unary_loop<S>(out, x, [](T v) { return v * sigmoid(v); });
      case UnaryOp::AddScalar: return unary_loop<S>(out, x, [s0](T v) { return v + s0; });
      case UnaryOp::MulScalar: return unary_loop<S>(out, x, [s0](T v) { return v * s0; });
      case UnaryOp::PowScalar: return unary_loop<S>(out, x, [s0](T v) { return std::pow(v, s0); });
      case UnaryOp::Clamp: return unary_loop<S>(out, x, [s0, s1](T v) { return v < s0 ? s0 : (v > s1 ? s1 : v); });
    }
  });
}

}  // namespace pldr::cpu
