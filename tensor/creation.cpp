#include "tensor/creation.h"

#include <stdexcept>

namespace pldr {

Tensor zeros(const Shape& shape, DType dtype) { return Tensor::empty(shape, dtype); }

Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = Tensor::uninitialized(shape, dtype);
  t.fill(value);
  return t;
}

Tensor arange(int64_t begin, int64_t end, DType dtype) {
  if (end < begin) throw std::invalid_argument("arange: end before begin");
  Tensor t = Tensor::uninitialized({end - begin}, dtype);
  dispatch_any(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < end - begin; ++i) p[i] = static_cast<T>(begin + i);
  });
  return t;
}

Tensor scalar(double value, DType dtype) { return full({}, value, dtype); }

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, DType dtype) {
  if (static_cast<int64_t>(values.size()) != numel(shape))
    throw std::invalid_argument("from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                                to_string(shape));
  Tensor host = Tensor::uninitialized(shape, dtype_of<T>());
  std::copy(values.begin(), values.end(), host.data<T>());
  return host.to(dtype);
}
template Tensor from_vector<float>(const std::vector<float>&, const Shape&, DType);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&, DType);
template Tensor from_vector<int32_t>(const std::vector<int32_t>&, const Shape&, DType);

}  // namespace pldr
