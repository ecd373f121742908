// Argument checks, output allocation and backend dispatch for the loss, metric and optimiser ops
// of tensor/ops.h: their results stay on the device, so a training step reads back only what it logs.
#include <stdexcept>
#include <string>

#include "tensor/op_checks.h"
#include "tensor/ops.h"

namespace pldr::ops {

using namespace op_checks;

namespace {
void check_ce(const char* op, const Tensor& logits, const Tensor& targets) {
  need_ids(op, targets);
  need_rank(op, logits, 1);
  if (Shape(logits.shape().begin(), logits.shape().end() - 1) != targets.shape())
    throw std::invalid_argument(std::string(op) + ": logits " + to_string(logits.shape()) + " do not match targets " +
                                to_string(targets.shape()));
  if (logits.device() != targets.device())
    throw std::invalid_argument(std::string(op) + ": logits and targets on different devices");
}

void need_scalar(const char* op, const char* what, const Tensor& t, DType dtype, Device device) {
  if (t.numel() != 1 || t.dtype() != dtype || t.device() != device)
    throw std::invalid_argument(std::string(op) + ": " + what + " must be one " + dtype_name(dtype) + " value on " +
                                device_name(device) + ", got " + dtype_name(t.dtype()) + " " + to_string(t.shape()) +
                                " on " + device_name(t.device()));
}
}  // namespace

CrossEntropyResult cross_entropy(const Tensor& logits, const Tensor& targets, int ignore_id) {
  check_ce("cross_entropy", logits, targets);
  CrossEntropyResult r{Tensor::uninitialized({}, logits.dtype(), logits.device()),
                       Tensor::uninitialized({}, DType::Int32, logits.device())};
  kernels(Op::CrossEntropy, logits)
      .cross_entropy_mean(r.loss, r.counted, logits.contiguous(), targets.contiguous(), ignore_id);
  return r;
}

Tensor cross_entropy_back(const Tensor& logits, const Tensor& targets, int ignore_id, const Tensor& counted,
                          const Tensor& g) {
  check_ce("cross_entropy_back", logits, targets);
  need_scalar("cross_entropy_back", "counted", counted, DType::Int32, logits.device());
  need_scalar("cross_entropy_back", "the upstream gradient", g, logits.dtype(), logits.device());
  Tensor out = Tensor::uninitialized(logits.shape(), logits.dtype(), logits.device());  // written in full
  kernels(Op::CrossEntropyBack, logits)
      .cross_entropy_mean_back(out, logits.contiguous(), targets.contiguous(), ignore_id, g.contiguous(),
                               counted.contiguous());
  return out;
}

Tensor count_correct(const Tensor& logits, const Tensor& targets, int ignore_id) {
  check_ce("count_correct", logits, targets);
  Tensor out = Tensor::uninitialized({2}, DType::Float64, logits.device());
  kernels(Op::CountCorrect, logits).count_correct(out, logits.contiguous(), targets.contiguous(), ignore_id);
  return out;
}

void adamw_update(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step) {
  for (const Tensor* t : {&m, &v}) same_dtype("adamw", param, *t);
  for (const Tensor* t : {&param, &m, &v})
    if (!t->is_contiguous() || t->shape() != param.shape())
      throw std::invalid_argument("adamw: parameter and moments must be dense tensors of shape " +
                                  to_string(param.shape()));
  if (grad.shape() != param.shape() || grad.device() != param.device())
    throw std::invalid_argument("adamw: gradient " + to_string(grad.shape()) + " does not match parameter " +
                                to_string(param.shape()));
  kernels(Op::AdamW, param).adamw_update(param, m, v, grad.to(param.dtype()).contiguous(), step);
}

Tensor global_norm(const std::vector<Tensor>& xs) {
  const Device device = xs.empty() ? Device::CPU : xs[0].device();
  std::vector<Tensor> dense;
  for (const Tensor& x : xs) {
    if (x.device() != device) throw std::invalid_argument("global_norm: tensors on different devices");
    dense.push_back(x.contiguous());
  }
  Tensor squares = Tensor::uninitialized({int64_t(xs.size())}, DType::Float64, device);
  if (!xs.empty()) kernels(Op::SumOfSquares, xs[0]).sum_of_squares(squares, dense);
  return sqrt(sum(squares));
}

Tensor clip_coefficient(const Tensor& norm, double max_norm) {
  need_scalar("clip_coefficient", "norm", norm, DType::Float64, norm.device());
  Tensor out = Tensor::uninitialized({}, DType::Float64, norm.device());
  kernels(Op::ClipCoefficient, norm).clip_coefficient(out, norm.contiguous(), max_norm);
  return out;
}

}  // namespace pldr::ops
