// Elementwise ops. Broadcast inputs get their gradient summed back to their own shape.
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

Variable add(const Variable& a, const Variable& b) {
  return record_into(ops::add(a.value(), b.value()), "add", {a, b},
                     [sa = a.shape(), sb = b.shape(), na = needs_grad(a), nb = needs_grad(b)](const Tensor& g,
                                                                                              const GradTargets& into) {
                       return std::vector<Tensor>{na ? sum_to_target(g, sa, into[0]) : Tensor(),
                                                  nb ? sum_to_target(g, sb, into[1]) : Tensor()};
                     });
}

Variable sub(const Variable& a, const Variable& b) {
  return record(ops::sub(a.value(), b.value()), "sub", {a, b},
                [sa = a.shape(), sb = b.shape(), na = needs_grad(a), nb = needs_grad(b)](const Tensor& g) {
                  return std::vector<Tensor>{na ? ops::sum_to_shape(g, sa) : Tensor(),
                                             nb ? ops::sum_to_shape(ops::neg(g), sb) : Tensor()};
                });
}

Variable mul(const Variable& a, const Variable& b) {
  return record(ops::mul(a.value(), b.value()), "mul", {a, b},
                [va = a.value(), vb = b.value(), na = needs_grad(a), nb = needs_grad(b)](const Tensor& g) {
                  return std::vector<Tensor>{na ? ops::sum_to_shape(ops::mul(g, vb), va.shape()) : Tensor(),
                                             nb ? ops::sum_to_shape(ops::mul(g, va), vb.shape()) : Tensor()};
                });
}

// d(a/b)/da = 1/b,  d(a/b)/db = -(a/b)/b
Variable div(const Variable& a, const Variable& b) {
  Tensor out = ops::div(a.value(), b.value());
  return record(out, "div", {a, b},
                [sa = a.shape(), vb = b.value(), out, na = needs_grad(a), nb = needs_grad(b)](const Tensor& g) {
                  Tensor ga = ops::div(g, vb);
                  return std::vector<Tensor>{
                      na ? ops::sum_to_shape(ga, sa) : Tensor(),
                      nb ? ops::sum_to_shape(ops::neg(ops::mul(ga, out)), vb.shape()) : Tensor()};
                });
}

// d(a^b)/da = b a^(b-1),  d(a^b)/db = a^b log(a)
Variable pow(const Variable& base, const Variable& exponent) {
  Tensor out = ops::pow(base.value(), exponent.value());
  return record(
      out, "pow", {base, exponent},
      [a = base.value(), b = exponent.value(), out, na = needs_grad(base), nb = needs_grad(exponent)](const Tensor& g) {
        Tensor ga, gb;
        if (na) ga = ops::sum_to_shape(ops::mul(g, ops::mul(b, ops::pow(a, ops::add_scalar(b, -1.0)))), a.shape());
        if (nb) gb = ops::sum_to_shape(ops::mul(g, ops::mul(out, ops::log(a))), b.shape());
        return std::vector<Tensor>{ga, gb};
      });
}

Variable add_scalar(const Variable& x, double s) {
  return record(ops::add_scalar(x.value(), s), "add_scalar", {x},
                [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

Variable mul_scalar(const Variable& x, double s) {
  return record(ops::mul_scalar(x.value(), s), "mul_scalar", {x},
                [s](const Tensor& g) { return std::vector<Tensor>{ops::mul_scalar(g, s)}; });
}

Variable cast(const Variable& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return record(x.value().to(dtype), "cast", {x},
                [from = x.dtype()](const Tensor& g) { return std::vector<Tensor>{g.to(from)}; });
}

Variable neg(const Variable& x) {
  return record(ops::neg(x.value()), "neg", {x}, [](const Tensor& g) { return std::vector<Tensor>{ops::neg(g)}; });
}

Variable abs(const Variable& x) {
  return record(ops::unary(UnaryOp::Abs, x.value()), "abs", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{ops::mul(g, ops::unary(UnaryOp::Sign, v))};
  });
}

Variable exp(const Variable& x) {
  Tensor out = ops::exp(x.value());
  return record(out, "exp", {x}, [out](const Tensor& g) { return std::vector<Tensor>{ops::mul(g, out)}; });
}

Variable log(const Variable& x) {
  return record(ops::log(x.value()), "log", {x},
                [v = x.value()](const Tensor& g) { return std::vector<Tensor>{ops::div(g, v)}; });
}

Variable sqrt(const Variable& x) {
  Tensor out = ops::sqrt(x.value());
  return record(out, "sqrt", {x},
                [out](const Tensor& g) { return std::vector<Tensor>{ops::div(ops::mul_scalar(g, 0.5), out)}; });
}

// d sigmoid / dx = y (1 - y)
Variable sigmoid(const Variable& x) {
  Tensor out = ops::unary(UnaryOp::Sigmoid, x.value());
  return record(out, "sigmoid", {x}, [out](const Tensor& g) {
    return std::vector<Tensor>{ops::mul(g, ops::mul(out, ops::add_scalar(ops::neg(out), 1.0)))};
  });
}

Variable silu(const Variable& x) {
  return record(ops::unary(UnaryOp::Silu, x.value()), "silu", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{ops::binary(BinaryOp::SiluBack, v, g)};
  });
}

}  // namespace pldr::ag
