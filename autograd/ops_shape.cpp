// Views and reassembly. Forward results share storage with the input (except concat); the
// backward of each view maps the gradient back to the input's layout.
#include <numeric>

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

Variable reshape(const Variable& x, const Shape& shape) {
  return record(x.value().reshape(shape), "reshape", {x},
                [in = x.shape()](const Tensor& g) { return std::vector<Tensor>{g.reshape(in)}; });
}

Variable permute(const Variable& x, const std::vector<int>& order) {
  std::vector<int> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[normalize_axis(order[i], x.dim())] = static_cast<int>(i);
  return record(x.value().permute(order), "permute", {x},
                [inverse](const Tensor& g) { return std::vector<Tensor>{g.permute(inverse)}; });
}

Variable transpose(const Variable& x, int axis_a, int axis_b) {
  return record(x.value().transpose(axis_a, axis_b), "transpose", {x},
                [axis_a, axis_b](const Tensor& g) { return std::vector<Tensor>{g.transpose(axis_a, axis_b)}; });
}

Variable slice(const Variable& x, int axis, int64_t begin, int64_t end) {
  return record(x.value().slice(axis, begin, end), "slice", {x},
                [x_shape = x.shape(), dt = x.dtype(), axis, begin, end](const Tensor& g) {
                  Tensor full = Tensor::empty(x_shape, dt, g.device());
                  full.slice(axis, begin, end).copy_from(g);
                  return std::vector<Tensor>{full};
                });
}

Variable expand(const Variable& x, const Shape& shape) {
  return record(x.value().expand(shape), "expand", {x},
                [in = x.shape()](const Tensor& g) { return std::vector<Tensor>{ops::sum_to_shape(g, in)}; });
}

Variable concat(const std::vector<Variable>& parts, int axis) {
  std::vector<Tensor> values;
  std::vector<int64_t> sizes;
  for (const Variable& p : parts) {
    values.push_back(p.value());
    sizes.push_back(p.shape()[normalize_axis(axis, p.dim())]);
  }
  return record(ops::concat(values, axis), "concat", parts, [axis, sizes](const Tensor& g) {
    std::vector<Tensor> grads;
    int64_t at = 0;
    for (int64_t s : sizes) {
      grads.push_back(g.slice(axis, at, at + s));
      at += s;
    }
    return grads;
  });
}

std::vector<Variable> split(const Variable& x, int axis, const std::vector<int64_t>& sizes) {
  const int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t(0));
  if (total != x.size(axis))
    throw std::invalid_argument("split: sizes add up to " + std::to_string(total) + ", axis has " +
                                std::to_string(x.size(axis)));
  std::vector<Variable> parts;
  int64_t at = 0;
  for (int64_t s : sizes) {
    parts.push_back(slice(x, axis, at, at + s));
    at += s;
  }
  return parts;
}

}  // namespace pldr::ag
