// Matrix product, trace and matrix exponential.
#include "autograd/autocast.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

// C = A B:  dA = G Bᵀ,  dB = Aᵀ G, each summed over the batch axes it was broadcast along.
// A weight B [K, N] shared by a batch is handled as one [batch*M, K]ᵀ x [batch*M, N] product.
Variable matmul(const Variable& a, const Variable& b) {
  const DType compute = matmul_compute_dtype(a.dtype());
  if (compute != a.dtype()) {
    AutocastGuard as_written(Precision::Float32);
    return cast(matmul(cast(a, compute), cast(b, compute)), a.dtype());
  }
  return record(ops::matmul(a.value(), b.value()), "matmul", {a, b},
                [va = a.value(), vb = b.value(), na = needs_grad(a), nb = needs_grad(b)](const Tensor& g) {
                  Tensor ga, gb;
                  if (na) ga = ops::sum_to_shape(ops::matmul(g, vb.transpose(-1, -2)), va.shape());
                  if (nb && vb.dim() == 2 && va.dim() > 2) {
                    const int64_t k = va.shape().back(), n = g.shape().back();
                    gb = ops::matmul(va.reshape({-1, k}).transpose(0, 1), g.reshape({-1, n}));
                  } else if (nb) {
                    gb = ops::sum_to_shape(ops::matmul(va.transpose(-1, -2), g), vb.shape());
                  }
                  return std::vector<Tensor>{ga, gb};
                });
}

// d tr(X) / dX = I, scaled by the gradient of each batch item.
Variable trace(const Variable& x) {
  return record(ops::trace(x.value()), "trace", {x}, [shape = x.shape(), dt = x.dtype()](const Tensor& g) {
    const int64_t n = shape.back();
    return std::vector<Tensor>{ops::mul(g.unsqueeze(-1).unsqueeze(-1), ops::eye(n, dt))};
  });
}

// For f = <G, expm(A)>, df/dA = L(Aᵀ, G), the Fréchet derivative of expm at Aᵀ in direction G.
Variable expm(const Variable& x) {
  return record(ops::expm(x.value()), "expm", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{ops::expm_frechet(v.transpose(-1, -2).contiguous(), g.contiguous())};
  });
}

}  // namespace pldr::ag

namespace pldr::ag {

// d log tr expm(X) / dX = expm(X)ᵀ / tr expm(X), scaled by each matrix's upstream gradient.
Variable log_trace_expm(const Variable& x) {
  return record(::pldr::ops::log_trace_expm(x.value()), "log_trace_expm", {x}, [v = x.value()](const Tensor& g) {
    return std::vector<Tensor>{::pldr::ops::mul(g.unsqueeze(-1).unsqueeze(-1), ::pldr::ops::log_trace_expm_grad(v))};
  });
}

}  // namespace pldr::ag
