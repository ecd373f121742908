#include "tensor/creation.h"

#include <stdexcept>

namespace pldr {

Tensor zeros(const Shape& shape, DType dtype, Device device) { return Tensor::empty(shape, dtype, device); }

Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = Tensor::uninitialized(shape, dtype, device);
  t.fill(value);
  return t;
}

Tensor arange(int64_t begin, int64_t end, DType dtype, Device device) {
  if (end < begin) throw std::invalid_argument("arange: end before begin");
  Tensor t = Tensor::uninitialized({end - begin}, dtype);  // written on the host, then moved
  dispatch_any(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < end - begin; ++i) p[i] = static_cast<T>(begin + i);
  });
  return t.to(device);
}

Tensor scalar(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

template <class T> Tensor from_vector(const std::vector<T>& values, const Shape& shape, DType dtype, Device device) {
  if (static_cast<int64_t>(values.size()) != numel(shape))
    throw std::invalid_argument("from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                                to_string(shape));
  Tensor host = Tensor::uninitialized(shape, dtype_of<T>());
  std::copy(values.begin(), values.end(), host.data<T>());
  return host.to(device).to(dtype);
}
template Tensor from_vector<float>(const std::vector<float>&, const Shape&, DType, Device);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&, DType, Device);
template Tensor from_vector<int32_t>(const std::vector<int32_t>&, const Shape&, DType, Device);

}  // namespace pldr
