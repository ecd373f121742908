// Reductions. The backward broadcasts the output gradient back over the reduced axes.
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr::ag {

namespace {
// The shape of the reduction with keepdim, so the gradient broadcasts against the input.
Shape kept_shape(const Shape& in, std::vector<int> axes) {
  const int rank = static_cast<int>(in.size());
  if (axes.empty())
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  Shape out = in;
  for (int a : axes) out[normalize_axis(a, rank)] = 1;
  return out;
}
}  // namespace

Variable sum(const Variable& x, std::vector<int> axes, bool keepdim) {
  return record(ops::sum(x.value(), axes, keepdim), "sum", {x},
                [in = x.shape(), kept = kept_shape(x.shape(), axes)](const Tensor& g) {
                  return std::vector<Tensor>{g.reshape(kept).expand(in).contiguous()};
                });
}

Variable mean(const Variable& x, std::vector<int> axes, bool keepdim) {
  Tensor out = ops::mean(x.value(), axes, keepdim);
  const double scale = out.numel() == 0 ? 0.0 : double(out.numel()) / double(x.value().numel());
  return record(out, "mean", {x}, [in = x.shape(), kept = kept_shape(x.shape(), axes), scale](const Tensor& g) {
    return std::vector<Tensor>{ops::mul_scalar(g.reshape(kept).expand(in).contiguous(), scale)};
  });
}

Variable max(const Variable& x, std::vector<int> axes, bool keepdim) {
  Tensor out = ops::max(x.value(), axes, keepdim);
  const Shape kept = kept_shape(x.shape(), axes);
  return record(out, "max", {x}, [v = x.value(), kept, out_kept = out.reshape(kept), axes](const Tensor& g) {
    Tensor is_max = ops::binary(BinaryOp::Equal, v, out_kept);  // 1 where x equals the maximum
    Tensor ties = ops::sum(is_max, axes, true);                 // how many share it
    return std::vector<Tensor>{ops::mul(is_max, ops::div(g.reshape(kept), ties))};
  });
}

}  // namespace pldr::ag
