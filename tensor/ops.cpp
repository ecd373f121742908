// Argument checks, output allocation and backend dispatch for the ops of tensor/ops.h (the loss,
// metric and optimiser ops are in ops_training.cpp).
#include "tensor/ops.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tensor/creation.h"
#include "tensor/op_checks.h"

namespace pldr::ops {

using namespace op_checks;

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = op_name(op_of(op));
  same_dtype(name, a, b);
  Shape shape;
  try {
    shape = broadcast_shapes(a.shape(), b.shape());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(name) + ": " + e.what());
  }
  Tensor out = Tensor::uninitialized(shape, a.dtype(), a.device());
  kernels(op_of(op), a).binary(op, out, a.expand(shape), b.expand(shape));
  return out;
}

// The elementwise kernels read element i of every input before writing element i of the output,
// so the output may be the (dense) first input.
void binary_into(BinaryOp op, Tensor& dst, const Tensor& src) {
  const char* name = op_name(op_of(op));
  same_dtype(name, dst, src);
  if (!dst.is_contiguous()) throw std::invalid_argument(std::string(name) + ": an in-place destination must be dense");
  kernels(op_of(op), dst).binary(op, dst, dst, src.expand(dst.shape()));
}

void unary_into(UnaryOp op, Tensor& x, double p0, double p1) {
  if (!x.is_contiguous())
    throw std::invalid_argument(std::string(op_name(op_of(op))) + ": an in-place destination must be dense");
  kernels(op_of(op), x).unary(op, x, x, p0, p1);
}

Tensor unary(UnaryOp op, const Tensor& x, double p0, double p1) {
  Tensor out = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(op_of(op), x).unary(op, out, x, p0, p1);
  return out;
}

namespace {

// Which axes of x a reduction keeps, in order, and which it reduces (the reduced ones last).
struct ReductionLayout {
  std::vector<int> order;  // kept axes first, reduced axes last
  Shape kept_shape, keepdim_shape;
  int64_t inner = 1;           // elements reduced into each output
  bool reduced_first = false;  // the reduced axes are exactly the leading ones
};

ReductionLayout reduction_layout(const Tensor& x, std::vector<int> axes) {
  const int rank = x.dim();
  if (axes.empty())
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  std::vector<bool> reduced(rank, false);
  for (int& a : axes) {
    a = normalize_axis(a, rank);
    reduced[a] = true;
  }
  ReductionLayout l;
  for (int i = 0; i < rank; ++i)
    if (!reduced[i]) {
      l.order.push_back(i);
      l.kept_shape.push_back(x.shape()[i]);
    }
  for (int i = 0; i < rank; ++i)
    if (reduced[i]) {
      l.order.push_back(i);
      l.inner *= x.shape()[i];
    }
  for (int i = 0; i < rank; ++i) l.keepdim_shape.push_back(reduced[i] ? 1 : x.shape()[i]);
  int leading = 0;  // how many of the first axes are reduced
  while (leading < rank && reduced[leading]) ++leading;
  const int count = static_cast<int>(std::count(reduced.begin(), reduced.end(), true));
  l.reduced_first = leading == count && leading < rank;
  return l;
}

// out dense [kept_shape]: every element written.
void reduce_into(ReduceOp op, Tensor& out, const Tensor& x, const ReductionLayout& l) {
  if (op == ReduceOp::Max && l.inner == 0) throw std::invalid_argument("max: reduction over an empty axis");
  const Backend& b = kernels(op_of(op), x);
  if (x.is_contiguous() && l.reduced_first) {
    // Reduced axes first (a bias gradient, say): sum whole rows into the kept columns, no transpose.
    b.reduce_columns(op, out, x, l.inner);
  } else {
    b.reduce_rows(op, out, x.permute(l.order).contiguous(), l.inner);
  }
}

// The axes sum_to_shape reduces: the leading ones x has beyond `shape`, and those `shape` has as 1.
std::vector<int> broadcast_axes(const Tensor& x, const Shape& shape) {
  const int lead = x.dim() - static_cast<int>(shape.size());
  if (lead < 0) throw std::invalid_argument("sum_to_shape: " + to_string(x.shape()) + " to " + to_string(shape));
  std::vector<int> axes;
  for (int i = 0; i < x.dim(); ++i)
    if (i < lead || (shape[i - lead] == 1 && x.shape()[i] != 1)) axes.push_back(i);
  return axes;
}

}  // namespace

Tensor reduce(ReduceOp op, const Tensor& x, std::vector<int> axes, bool keepdim) {
  const ReductionLayout l = reduction_layout(x, std::move(axes));
  Tensor out = Tensor::uninitialized(l.kept_shape, x.dtype(), x.device());
  reduce_into(op, out, x, l);
  return keepdim ? out.view(l.keepdim_shape) : out;
}

Tensor mean(const Tensor& x, std::vector<int> axes, bool keepdim) {
  Tensor s = sum(x, axes, keepdim);
  const int64_t count = s.numel() == 0 ? 0 : x.numel() / s.numel();
  return mul_scalar(s, count == 0 ? 0.0 : 1.0 / double(count));
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  return sum(x, broadcast_axes(x, shape), true).view(shape);
}

void sum_to_shape_into(Tensor& out, const Tensor& x) {
  same_dtype("sum_to_shape", out, x);
  if (!out.is_contiguous()) throw std::invalid_argument("sum_to_shape: the destination must be dense");
  if (x.shape() == out.shape()) {
    out.copy_from(x);
    return;
  }
  const ReductionLayout l = reduction_layout(x, broadcast_axes(x, out.shape()));
  Tensor kept = out.view(l.kept_shape);
  reduce_into(ReduceOp::Sum, kept, x, l);
}

Tensor argmax_last(const Tensor& x) {
  need_rank("argmax", x, 1);
  Shape out_shape(x.shape().begin(), x.shape().end() - 1);
  Tensor out = Tensor::uninitialized(out_shape, DType::Int32, x.device());
  kernels(Op::Argmax, x).argmax_rows(out, x.contiguous(), x.shape().back());
  return out;
}

Tensor sample_rows(const Tensor& logits, const Tensor& uniforms, const SampleRule& rule) {
  if (logits.dim() != 2 || logits.shape()[1] == 0)
    throw std::invalid_argument("sample_rows: logits must be [B, V] with V > 0, got " + to_string(logits.shape()));
  const int64_t B = logits.shape()[0];
  if (!rule.greedy) {
    if (!uniforms.defined() || uniforms.dtype() != DType::Float64 || uniforms.shape() != Shape{B})
      throw std::invalid_argument("sample_rows: uniforms must be float64 [" + std::to_string(B) + "]");
    same_device("sample_rows", "uniforms", uniforms, "logits", logits);
  }
  if (!(rule.temperature > 0) || rule.top_k < 0 || !(rule.top_p > 0 && rule.top_p <= 1))
    throw std::invalid_argument("sample_rows: needs temperature > 0, top_k >= 0 and top_p in (0, 1]");
  Tensor out = Tensor::uninitialized({B}, DType::Int32, logits.device());
  kernels(Op::SampleRows, logits)
      .sample_rows(out, logits.contiguous(), rule.greedy ? uniforms : uniforms.contiguous(), rule);
  return out;
}

namespace {
Shape matmul_shape(const Tensor& a, const Tensor& b) {
  same_dtype("matmul", a, b);
  need_rank("matmul", a, 2);
  need_rank("matmul", b, 2);
  const int64_t m = a.shape()[a.dim() - 2], k = a.shape().back(), kb = b.shape()[b.dim() - 2], n = b.shape().back();
  if (k != kb)
    throw std::invalid_argument("matmul: inner sizes differ, " + to_string(a.shape()) + " x " + to_string(b.shape()));
  Shape out_shape =
      broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2), Shape(b.shape().begin(), b.shape().end() - 2));
  out_shape.insert(out_shape.end(), {m, n});
  return out_shape;
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, double alpha) {
  // An empty inner dimension leaves the zeros; otherwise the product writes every element.
  const Shape shape = matmul_shape(a, b);
  Tensor out = a.shape().back() == 0 ? Tensor::empty(shape, a.dtype(), a.device())
                                     : Tensor::uninitialized(shape, a.dtype(), a.device());
  matmul_into(out, a, b, alpha);
  return out;
}

void matmul_into(Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const Shape shape = matmul_shape(a, b);
  if (out.shape() != shape || out.dtype() != a.dtype() || !out.is_contiguous())
    throw std::invalid_argument("matmul: the destination must be dense " + to_string(shape));
  if (a.shape().back() == 0) {
    out.fill(0.0);
    return;
  }
  const int64_t m = shape[shape.size() - 2], n = shape.back(), k = a.shape().back();
  Shape a_shape(shape.begin(), shape.end() - 2), b_shape = a_shape;
  a_shape.insert(a_shape.end(), {m, k});
  b_shape.insert(b_shape.end(), {k, n});
  kernels(Op::Matmul, a).matmul(out, a.expand(a_shape), b.expand(b_shape), alpha);
}

Tensor trace(const Tensor& x) {
  need_rank("trace", x, 2);
  return sum(x.diagonal(), {-1}, false);
}

Tensor eye(int64_t n, DType dtype, Device device) {
  Tensor out = Tensor::empty({n, n}, dtype, device);
  out.diagonal().fill(1.0);
  return out;
}

namespace {
void need_square(const char* op, const Tensor& x) {
  need_rank(op, x, 2);
  if (x.shape().back() != x.shape()[x.dim() - 2])
    throw std::invalid_argument(std::string(op) + ": matrices are not square, shape " + to_string(x.shape()));
}
}  // namespace

Tensor expm(const Tensor& x) {
  need_square("expm", x);
  Tensor out = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(Op::Expm, x).expm(out, x.contiguous());
  return out;
}

Tensor expm_frechet(const Tensor& a, const Tensor& e) {
  need_square("expm_frechet", a);
  same_dtype("expm_frechet", a, e);
  if (a.shape() != e.shape()) throw std::invalid_argument("expm_frechet: A and E shapes differ");
  Tensor out = Tensor::empty(a.shape(), a.dtype(), a.device());
  kernels(Op::ExpmFrechet, a).expm_frechet(out, a.contiguous(), e.contiguous());
  return out;
}

Tensor log_trace_expm(const Tensor& x) {
  need_square("log_trace_expm", x);
  Tensor out = Tensor::uninitialized(Shape(x.shape().begin(), x.shape().end() - 2), x.dtype(), x.device());
  kernels(Op::LogTraceExpm, x).log_trace_expm(out, nullptr, x.contiguous());
  return out;
}

Tensor log_trace_expm_grad(const Tensor& x) {
  need_square("log_trace_expm_grad", x);
  Tensor out = Tensor::uninitialized(Shape(x.shape().begin(), x.shape().end() - 2), x.dtype(), x.device());
  Tensor grad = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(Op::LogTraceExpm, x).log_trace_expm(out, &grad, x.contiguous());
  return grad;
}

Tensor softmax(const Tensor& x) { return softmax(x, Tensor()); }

Tensor softmax(const Tensor& x, const Tensor& mask) {
  need_rank("softmax", x, 1);
  Tensor m;
  if (mask.defined()) {
    same_dtype("softmax", x, mask);  // and device
    if (mask.dim() > x.dim() || broadcast_shapes(x.shape(), mask.shape()) != x.shape())
      throw std::invalid_argument("softmax: the mask " + to_string(mask.shape()) + " does not broadcast to " +
                                  to_string(x.shape()));
    m = mask.expand(x.shape());                                               // stride 0 on the broadcast axes: no copy
    if (m.strides().back() != 1 && x.shape().back() > 1) m = m.contiguous();  // the kernel reads dense rows
  }
  Tensor out = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(Op::Softmax, x).softmax_rows(out, x.contiguous(), m, false);
  return out;
}

Tensor log_softmax(const Tensor& x) {
  need_rank("log_softmax", x, 1);
  Tensor out = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(Op::LogSoftmax, x).softmax_rows(out, x.contiguous(), Tensor(), true);
  return out;
}

Tensor softmax_back(const Tensor& y, const Tensor& g) {
  same_dtype("softmax_back", y, g);
  Tensor out = Tensor::uninitialized(y.shape(), y.dtype(), y.device());
  kernels(Op::SoftmaxBack, y).softmax_back_rows(out, y.contiguous(), g.contiguous(), false);
  return out;
}

Tensor log_softmax_back(const Tensor& y, const Tensor& g) {
  same_dtype("log_softmax_back", y, g);
  Tensor out = Tensor::uninitialized(y.shape(), y.dtype(), y.device());
  kernels(Op::LogSoftmaxBack, y).softmax_back_rows(out, y.contiguous(), g.contiguous(), true);
  return out;
}

LayerNormResult layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
  need_rank("layer_norm", x, 1);
  same_dtype("layer_norm", x, gamma);
  same_dtype("layer_norm", x, beta);
  const Shape param{x.shape().back()};
  if (gamma.shape() != param || beta.shape() != param)
    throw std::invalid_argument("layer_norm: gain/bias shapes " + to_string(gamma.shape()) + "/" +
                                to_string(beta.shape()) + " do not match the last axis of " + to_string(x.shape()));
  const Shape rows(x.shape().begin(), x.shape().end() - 1);
  LayerNormResult r{Tensor::uninitialized(x.shape(), x.dtype(), x.device()),
                    Tensor::uninitialized(rows, x.dtype(), x.device()),
                    Tensor::uninitialized(rows, x.dtype(), x.device())};
  kernels(Op::LayerNorm, x).layer_norm(r, x.contiguous(), gamma.contiguous(), beta.contiguous(), eps);
  return r;
}

LayerNormGrads layer_norm_back(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                               const Tensor& gamma, const Tensor& dgamma_into, const Tensor& dbeta_into) {
  // Every element of dx, dgamma and dbeta is written.
  auto parameter_grad = [&](const Tensor& into) {
    if (!into.defined()) return Tensor::uninitialized(gamma.shape(), x.dtype(), x.device());
    if (into.shape() != gamma.shape() || into.dtype() != x.dtype() || !into.is_contiguous())
      throw std::invalid_argument("layer_norm_back: a gradient destination must be dense " + to_string(gamma.shape()));
    return into;
  };
  LayerNormGrads r{Tensor::uninitialized(x.shape(), x.dtype(), x.device()), parameter_grad(dgamma_into),
                   parameter_grad(dbeta_into)};
  kernels(Op::LayerNormBack, x)
      .layer_norm_back(r, g.contiguous(), x.contiguous(), mean.contiguous(), rstd.contiguous(), gamma.contiguous());
  return r;
}

Tensor embedding(const Tensor& weight, const Tensor& ids) {
  need_ids("embedding", ids);
  same_device("embedding", "ids", ids, "weight", weight);  // the weight's backend reads the ids
  if (weight.dim() != 2)
    throw std::invalid_argument("embedding: weight must be [V, D], got " + to_string(weight.shape()));
  Shape shape = ids.shape();
  shape.push_back(weight.shape()[1]);
  Tensor out = Tensor::uninitialized(shape, weight.dtype(), weight.device());
  kernels(Op::Embedding, weight).embedding(out, weight.contiguous(), ids.contiguous());
  return out;
}

Tensor embedding_back(const Tensor& g, const Tensor& ids, int64_t vocab, Tensor into) {
  need_ids("embedding_back", ids);
  same_device("embedding_back", "ids", ids, "g", g);
  const Shape shape{vocab, g.shape().back()};
  if (!into.defined()) {
    into = Tensor::empty(shape, g.dtype(), g.device());
  } else if (into.shape() != shape || into.dtype() != g.dtype() || !into.is_contiguous()) {
    throw std::invalid_argument("embedding_back: the destination must be dense " + to_string(shape));
  } else {
    into.fill(0.0);  // the kernel adds into it
  }
  kernels(Op::EmbeddingBack, g).embedding_back(into, g.contiguous(), ids.contiguous());
  return into;
}

Tensor concat(const std::vector<Tensor>& parts, int axis) {
  if (parts.empty()) throw std::invalid_argument("concat: no tensors");
  const int rank = parts[0].dim();
  const int a = normalize_axis(axis, rank);
  Shape shape = parts[0].shape();
  shape[a] = 0;
  for (const Tensor& p : parts) {
    same_dtype("concat", parts[0], p);
    bool ok = p.dim() == rank;
    for (int i = 0; ok && i < rank; ++i) ok = i == a || p.shape()[i] == parts[0].shape()[i];
    if (!ok)
      throw std::invalid_argument("concat: shape " + to_string(p.shape()) + " does not fit " +
                                  to_string(parts[0].shape()) + " along axis " + std::to_string(a));
    shape[a] += p.shape()[a];
  }
  Tensor out = Tensor::uninitialized(shape, parts[0].dtype(), parts[0].device());  // the parts tile it
  int64_t at = 0;
  for (const Tensor& p : parts) {
    out.slice(a, at, at + p.shape()[a]).copy_from(p);
    at += p.shape()[a];
  }
  return out;
}

Tensor rotary(const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse) {
  if (x.dim() != 4 || x.shape()[3] % 2 != 0)
    throw std::invalid_argument("rotary: x must be [B, S, H, dk] with even dk, got " + to_string(x.shape()));
  const Shape table{x.shape()[1], x.shape()[3] / 2};
  if (cos.dtype() != DType::Float32 || sin.dtype() != DType::Float32 || cos.shape() != table || sin.shape() != table)
    throw std::invalid_argument("rotary: cos/sin must be float32 " + to_string(table));
  same_device("rotary", "cos", cos, "x", x);  // x's backend reads the tables
  same_device("rotary", "sin", sin, "x", x);
  Tensor out = Tensor::uninitialized(x.shape(), x.dtype(), x.device());
  kernels(Op::Rotary, x).rotary(out, x.contiguous(), cos.contiguous(), sin.contiguous(), pairing, inverse);
  return out;
}

Tensor attention_mask(const Tensor& key_ids, int64_t num_queries, DType dtype, int pad_id) {
  need_ids("attention_mask", key_ids);
  if (key_ids.dim() != 2 || num_queries < 0 || num_queries > key_ids.shape()[1])
    throw std::invalid_argument("attention_mask: key ids must be [B, K] with K >= " + std::to_string(num_queries) +
                                " queries, got " + to_string(key_ids.shape()));
  Tensor out = Tensor::uninitialized({key_ids.shape()[0], 1, num_queries, key_ids.shape()[1]}, dtype, key_ids.device());
  kernels(Op::AttentionMask, key_ids.device(), dtype).attention_mask(out, key_ids.contiguous(), pad_id);
  return out;
}

}  // namespace pldr::ops