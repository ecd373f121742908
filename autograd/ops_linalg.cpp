// Matrix product, trace and matrix exponential.
#include "autograd/autocast.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

// C = alpha A B:  dA = alpha G Bᵀ,  dB = alpha Aᵀ G (alpha folded into the products), each summed
// over the batch axes it was broadcast along. A weight B [K, N] shared by a batch is handled as
// one [batch*M, K]ᵀ x [batch*M, N] product.
Variable matmul(const Variable& a, const Variable& b, double alpha) {
  const DType compute = matmul_compute_dtype(a.dtype());
  if (compute != a.dtype()) {
    AutocastGuard as_written(Precision::Float32);
    return cast(matmul(cast(a, compute), cast(b, compute), alpha), a.dtype());
  }
  return record_into(ops::matmul(a.value(), b.value(), alpha), "matmul", {a, b},
                     [va = a.value(), vb = b.value(), na = needs_grad(a), nb = needs_grad(b), alpha](
                         const Tensor& g, const GradTargets& into) {
                       Tensor ga, gb;
                       if (na) ga = sum_to_target(ops::matmul(g, vb.transpose(-1, -2), alpha), va.shape(), into[0]);
                       if (nb && vb.dim() == 2 && va.dim() > 2) {
                         const int64_t k = va.shape().back(), n = g.shape().back();
                         gb = target_or_new(into[1], vb.shape(), vb.dtype(), vb.device());
                         ops::matmul_into(gb, va.reshape({-1, k}).transpose(0, 1), g.reshape({-1, n}), alpha);
                       } else if (nb) {
                         gb = sum_to_target(ops::matmul(va.transpose(-1, -2), g, alpha), vb.shape(), into[1]);
                       }
                       return std::vector<Tensor>{ga, gb};
                     });
}

// y = x Wᵀ + b with W [out, in]: dx = G W, dW = Gᵀ x and db = the column sums of G, x and G taken
// as matrices of rows. One node instead of transpose, matmul and add, so dW and db are written
// straight into the parameters' gradient slots.
Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  if (matmul_compute_dtype(x.dtype()) != x.dtype()) {  // bf16-mixed: the cast product of matmul()
    const Variable y = matmul(x, transpose(weight, 0, 1));
    return bias.defined() ? add(y, bias) : y;
  }
  Tensor y = ops::matmul(x.value(), weight.value().transpose(0, 1));
  if (bias.defined()) ops::add_into(y, bias.value());
  std::vector<Variable> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record_into(y, "linear", std::move(inputs),
                     [vx = x.value(), vw = weight.value(), nx = needs_grad(x), nw = needs_grad(weight),
                      nb = bias.defined() && needs_grad(bias)](const Tensor& g, const GradTargets& into) {
                       std::vector<Tensor> grads(into.size());
                       const int64_t out_features = vw.size(0), in_features = vw.size(1);
                       const Tensor g_rows = g.reshape({-1, out_features});
                       if (nx) grads[0] = ops::matmul(g, vw);
                       if (nw) {
                         grads[1] = target_or_new(into[1], vw.shape(), vw.dtype(), vw.device());
                         ops::matmul_into(grads[1], g_rows.transpose(0, 1), vx.reshape({-1, in_features}));
                       }
                       if (nb) grads[2] = sum_to_target(g_rows, {out_features}, into[2]);
                       return grads;
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
