// Tensor: a typed, strided view (shape, strides, offset) onto a shared Storage.
//
// Views (reshape of dense data, permute, transpose, slice, expand) share storage and never copy;
// contiguous() copies only when the layout is not already dense row-major; clone() always copies.
// A Tensor holds no gradient information: autograd/ wraps tensors in Variables.
#pragma once
#include <memory>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace pldr {

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  Tensor(std::shared_ptr<Storage> storage, DType dtype, Shape shape, Strides strides, int64_t offset);

  // A new dense tensor filled with zeros.
  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::CPU);
  // A new dense tensor with unspecified contents, for kernels that write every element.
  static Tensor uninitialized(const Shape& shape, DType dtype, Device device = Device::CPU);

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int dim() const { return static_cast<int>(shape_.size()); }
  int64_t size(int axis) const;
  int64_t numel() const { return pldr::numel(shape_); }
  bool is_contiguous() const;
  bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }

  // Pointer to element [0,...,0]; checks that T matches the dtype.
  template <class T> T* data();
  template <class T> const T* data() const;

  // --- views (no copy) ---
  Tensor view(const Shape& shape) const;     // one -1 allowed; needs a dense layout
  Tensor reshape(const Shape& shape) const;  // view when possible, else a dense copy
  Tensor permute(const std::vector<int>& order) const;
  Tensor transpose(int axis_a, int axis_b) const;
  Tensor slice(int axis, int64_t begin, int64_t end) const;  // [begin, end), step 1
  Tensor select(int axis, int64_t index) const;              // drops the axis
  Tensor expand(const Shape& shape) const;                   // broadcast: size-1 axes get stride 0
  Tensor unsqueeze(int axis) const;
  Tensor squeeze(int axis) const;
  Tensor diagonal() const;  // [..., N, N] -> [..., N]: the main diagonal of the last two axes
  // A dense view of `shape` into this tensor's storage at element `offset` (bounds checked): how
  // one view covers several tensors laid out back to back (tensor/flat.h).
  Tensor storage_view(int64_t offset, const Shape& shape) const;

  // --- copies ---
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType dtype) const;       // converted copy (or *this when the dtype already matches)
  Tensor to(Device device) const;     // dense copy on `device` (or *this when already there)
  void copy_from(const Tensor& src);  // writes src (broadcast to this shape, any device) into this view
  void fill(double value);

  // Row-major values converted to T, copied to the host first when the tensor lives elsewhere.
  template <class T> std::vector<T> to_vector() const;
  double item() const;  // the single value of a 1-element tensor

 private:
  std::shared_ptr<Storage> storage_;
  DType dtype_ = DType::Float32;
  Shape shape_;
  Strides strides_;
  int64_t offset_ = 0;
};

}  // namespace pldr
