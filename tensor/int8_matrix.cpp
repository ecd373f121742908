#include "tensor/int8_matrix.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "tensor/cpu/strided_loop.h"

namespace pldr {

Int8Matrix::Int8Matrix(std::shared_ptr<Storage> values, Tensor scales, int64_t rows, int64_t cols)
    : values_(std::move(values)), scales_(std::move(scales)), rows_(rows), cols_(cols) {
  if (!values_ || values_->device() != Device::CPU || values_->bytes() < size_t(rows * cols))
    throw std::invalid_argument("int8 matrix: needs " + std::to_string(rows * cols) + " bytes on the CPU for " +
                                to_string(Shape{rows, cols}));
  if (!scales_.defined() || scales_.dtype() != DType::Float32 || scales_.shape() != Shape{rows} ||
      scales_.device() != Device::CPU)
    throw std::invalid_argument("int8 matrix: scales must be float32 [" + std::to_string(rows) + "] on the CPU");
  scales_ = scales_.contiguous();
}

Int8Matrix Int8Matrix::quantize(const Tensor& w) {
  if (w.dim() != 2 || !is_floating(w.dtype()) || w.device() != Device::CPU)
    throw std::invalid_argument("int8 quantize: needs a floating [rows, cols] matrix on the CPU, got " +
                                std::string(dtype_name(w.dtype())) + " " + to_string(w.shape()));
  const Tensor f = w.contiguous().to(DType::Float32);
  const int64_t rows = w.shape()[0], cols = w.shape()[1];
  auto values = std::make_shared<Storage>(size_t(rows * cols), Device::CPU, false);
  Tensor scales = Tensor::uninitialized({rows}, DType::Float32);
  const float* in = f.data<float>();
  int8_t* q = static_cast<int8_t*>(values->data());
  float* s = scales.data<float>();
#pragma omp parallel for schedule(static) if (rows * cols >= cpu::kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = in + r * cols;
    float max = 0;
    for (int64_t c = 0; c < cols; ++c) max = std::max(max, std::fabs(row[c]));
    s[r] = max / 127.0f;
    const float inverse = max > 0 ? 127.0f / max : 0.0f;
    for (int64_t c = 0; c < cols; ++c)
      q[r * cols + c] = static_cast<int8_t>(std::clamp(std::nearbyint(row[c] * inverse), -127.0f, 127.0f));
  }
  return Int8Matrix(std::move(values), std::move(scales), rows, cols);
}

Tensor Int8Matrix::dequantize() const {
  Tensor out = Tensor::uninitialized({rows_, cols_}, DType::Float32);
  const int8_t* q = data();
  const float* s = scales_.data<float>();
  float* o = out.data<float>();
#pragma omp parallel for schedule(static) if (rows_ * cols_ >= cpu::kParallelThreshold)
  for (int64_t r = 0; r < rows_; ++r)
    for (int64_t c = 0; c < cols_; ++c) o[r * cols_ + c] = s[r] * float(q[r * cols_ + c]);
  return out;
}

Tensor Int8Matrix::gather_rows(const Tensor& ids) const {
  if (ids.dtype() != DType::Int32 || ids.device() != Device::CPU)
    throw std::invalid_argument("int8 embedding: ids must be int32 on the CPU");
  const std::vector<int32_t> rows = ids.contiguous().to_vector<int32_t>();
  Shape shape = ids.shape();
  shape.push_back(cols_);
  Tensor out = Tensor::uninitialized(shape, DType::Float32);
  float* o = out.data<float>();
  const int8_t* q = data();
  const float* s = scales_.data<float>();
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t r = rows[i];
    if (r < 0 || r >= rows_)
      throw std::out_of_range("int8 embedding: id " + std::to_string(r) + " outside [0, " + std::to_string(rows_) +
                              ")");
    for (int64_t c = 0; c < cols_; ++c) o[int64_t(i) * cols_ + c] = s[r] * float(q[r * cols_ + c]);
  }
  return out;
}

}  // namespace pldr
