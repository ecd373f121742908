// Weight-only int8 (docs/int8.md): a [rows, cols] float matrix stored as int8 with one float32
// scale per row, symmetric, w[r][c] ≈ scale[r] · q[r][c] with scale[r] = max_c |w[r][c]| / 127 and
// q = round(w / scale) in [-127, 127]. Rows are a linear layer's output rows (PyTorch's [out, in]
// layout) or an embedding's tokens. CPU only, inference only: there is no gradient.
#pragma once
#include <cstdint>
#include <memory>

#include "tensor/tensor.h"

namespace pldr {

class Int8Matrix {
 public:
  // Takes `values` (rows·cols int8 bytes, row-major, on the CPU) and `scales` (float32 [rows]) as
  // they are: no copy, so a memory-mapped weight file can back them. Checks the sizes.
  Int8Matrix(std::shared_ptr<Storage> values, Tensor scales, int64_t rows, int64_t cols);

  // The int8 form of a floating [rows, cols] matrix on the CPU. An all-zero row gets scale 0.
  static Int8Matrix quantize(const Tensor& w);

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  const int8_t* data() const { return static_cast<const int8_t*>(values_->data()); }
  const Tensor& scales() const { return scales_; }  // float32 [rows]
  size_t bytes() const { return size_t(rows_ * cols_) + size_t(rows_) * sizeof(float); }

  // float32 [rows, cols]: scale[r] · q[r][c].
  Tensor dequantize() const;
  // Rows `ids` (int32 [...], each in [0, rows)) dequantised: float32 [..., cols]. An embedding's lookup.
  Tensor gather_rows(const Tensor& ids) const;

 private:
  std::shared_ptr<Storage> values_;
  Tensor scales_;
  int64_t rows_, cols_;
};

// x Wᵀ + bias for float32 x [..., cols] and W [rows, cols] int8: float32 [..., rows]; bias float32
// [rows] or undefined. A few rows of x (decoding) read the int8 weights directly, converting in
// the inner loop; many rows (a prompt, an evaluation window) go through the float32 product one
// dequantised block of W at a time. Throws naming the problem for x off the CPU, not float32, or
// of the wrong width.
Tensor int8_linear(const Tensor& x, const Int8Matrix& w, const Tensor& bias);

}  // namespace pldr
