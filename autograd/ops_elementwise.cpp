// Elementwise ops. Broadcast inputs get their gradient summed back to their own shape.
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

namespace T = ::pldr;  // tensor-level ops

Variable add(const Variable& a, const Variable& b) {
  return record(T::add(a.value(), b.value()), "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{T::sum_to_shape(g, sa), T::sum_to_shape(g, sb)};
  });
}

Variable sub(const Variable& a, const Variable& b) {
  return record(T::sub(a.value(), b.value()), "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{T::sum_to_shape(g, sa), T::sum_to_shape(T::neg(g), sb)};
  });
}

Variable mul(const Variable& a, const Variable& b) {
  return record(T::mul(a.value(), b.value()), "mul", {a, b}, [va = a.value(), vb = b.value()](const Tensor& g) {
    return std::vector<Tensor>{T::sum_to_shape(T::mul(g, vb), va.shape()), T::sum_to_shape(T::mul(g, va), vb.shape())};
  });
}

// d(a/b)/da = 1/b,  d(a/b)/db = -(a/b)/b
Variable div(const Variable& a, const Variable& b) {
  Tensor out = T::div(a.value(), b.value());
  return record(out, "div", {a, b}, [sa = a.shape(), vb = b.value(), out](const Tensor& g) {
    Tensor ga = T::div(g, vb);
    return std::vector<Tensor>{T::sum_to_shape(ga, sa), T::sum_to_shape(T::neg(T::mul(ga, out)), vb.shape())};
  });
}

// d(a^b)/da = b a^(b-1),  d(a^b)/db = a^b log(a)
Variable pow(const Variable& base, const Variable& exponent) {
  Tensor out = T::pow(base.value(), exponent.value());
  return record(out, "pow", {base, exponent}, [a = base.value(), b = exponent.value(), out](const Tensor& g) {
    Tensor ga = T::mul(g, T::mul(b, T::pow(a, T::add_scalar(b, -1.0))));
    Tensor gb = T::mul(g, T::mul(out, T::log(a)));
    return std::vector<Tensor>{T::sum_to_shape(ga, a.shape()), T::sum_to_shape(gb, b.shape())};
  });
}

Variable add_scalar(const Variable& x, double s) {
  return record(T::add_scalar(x.value(), s), "add_scalar", {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

Variable mul_scalar(const Variable& x, double s) {
  return record(T::mul_scalar(x.value(), s), "mul_scalar", {x},
                [s](const Tensor& g) { return std::vector<Tensor>{T::mul_scalar(g, s)}; });
}

Variable cast(const Variable& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return record(x.value().to(dtype), "cast", {x}, [from = x.dtype()](const Tensor& g) { return std::vector<Tensor>{g.to(from)}; });
}

Variable neg(const Variable& x) {
  return record(T::neg(x.value()), "neg", {x}, [](const Tensor& g) { return std::vector<Tensor>{T::neg(g)}; });
}

Variable abs(const Variable& x) {
  return record(T::unary(UnaryOp::Abs, x.value()), "abs", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{T::mul(g, T::unary(UnaryOp::Sign, v))};
  });
}

Variable exp(const Variable& x) {
  Tensor out = T::exp(x.value());
  return record(out, "exp", {x}, [out](const Tensor& g) { return std::vector<Tensor>{T::mul(g, out)}; });
}

Variable log(const Variable& x) {
  return record(T::log(x.value()), "log", {x}, [v = x.value()](const Tensor& g) { return std::vector<Tensor>{T::div(g, v)}; });
}

Variable sqrt(const Variable& x) {
  Tensor out = T::sqrt(x.value());
  return record(out, "sqrt", {x}, [out](const Tensor& g) {
    return std::vector<Tensor>{T::div(T::mul_scalar(g, 0.5), out)};
  });
}

// d sigmoid / dx = y (1 - y)
Variable sigmoid(const Variable& x) {
  Tensor out = T::unary(UnaryOp::Sigmoid, x.value());
  return record(out, "sigmoid", {x}, [out](const Tensor& g) {
    return std::vector<Tensor>{T::mul(g, T::mul(out, T::add_scalar(T::neg(out), 1.0)))};
  });
}

Variable silu(const Variable& x) {
  return record(T::unary(UnaryOp::Silu, x.value()), "silu", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{T::binary(BinaryOp::SiluBack, v, g)};
  });
}

}  // namespace pldr::ag
