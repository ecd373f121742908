#include "tensor/tensor.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tensor/backend.h"
#include "tensor/op_checks.h"

namespace pldr {

Tensor::Tensor(std::shared_ptr<Storage> storage, DType dtype, Shape shape, Strides strides, int64_t offset)
    : storage_(std::move(storage)),
      dtype_(dtype),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {}

namespace {
Tensor allocate(const Shape& shape, DType dtype, Device device, bool zero_fill) {
  for (int64_t d : shape)
    if (d < 0) throw std::invalid_argument("tensor: negative dimension in shape " + to_string(shape));
  auto storage = std::make_shared<Storage>(pldr::numel(shape) * dtype_size(dtype), device, zero_fill);
  return Tensor(std::move(storage), dtype, shape, contiguous_strides(shape), 0);
}
}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) { return allocate(shape, dtype, device, true); }

Tensor Tensor::uninitialized(const Shape& shape, DType dtype, Device device) {
  return allocate(shape, dtype, device, false);
}

int64_t Tensor::size(int axis) const { return shape_[normalize_axis(axis, dim())]; }

bool Tensor::is_contiguous() const {
  int64_t step = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != step) return false;
    step *= shape_[i];
  }
  return true;
}

template <class T> T* Tensor::data() {
  if (dtype_of<T>() != dtype_)
    throw std::invalid_argument(std::string("tensor: data<") + dtype_name(dtype_of<T>()) + "> on a " +
                                dtype_name(dtype_) + " tensor");
  return static_cast<T*>(storage_->data()) + offset_;
}
template <class T> const T* Tensor::data() const { return const_cast<Tensor*>(this)->data<T>(); }
template float* Tensor::data<float>();
template double* Tensor::data<double>();
template int32_t* Tensor::data<int32_t>();
template BFloat16* Tensor::data<BFloat16>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const int32_t* Tensor::data<int32_t>() const;
template const BFloat16* Tensor::data<BFloat16>() const;

namespace {
Shape infer_shape(const Shape& requested, int64_t total, const Shape& from) {
  Shape out = requested;
  int inferred = -1;
  int64_t known = 1;
  const auto fail = [&] {
    return std::invalid_argument("reshape: cannot view " + to_string(from) + " as " + to_string(requested));
  };
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) throw std::invalid_argument("reshape: more than one -1 in " + to_string(requested));
      inferred = static_cast<int>(i);
    } else if (out[i] < 0) {
      throw fail();  // a negative size other than -1 (two of them could multiply to the right count)
    } else {
      known *= out[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || total % known != 0) throw fail();  // -1 next to a 0 could be anything
    out[inferred] = total / known;
  }
  if (pldr::numel(out) != total) throw fail();
  return out;
}
}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  Shape target = infer_shape(shape, numel(), shape_);
  if (!is_contiguous()) throw std::invalid_argument("view: tensor of shape " + to_string(shape_) + " is not dense");
  return Tensor(storage_, dtype_, target, contiguous_strides(target), offset_);
}

Tensor Tensor::reshape(const Shape& shape) const { return is_contiguous() ? view(shape) : contiguous().view(shape); }

Tensor Tensor::permute(const std::vector<int>& order) const {
  if (static_cast<int>(order.size()) != dim()) throw std::invalid_argument("permute: order has wrong length");
  Shape s(order.size());
  Strides st(order.size());
  std::vector<bool> seen(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    int a = normalize_axis(order[i], dim());
    if (seen[a]) throw std::invalid_argument("permute: repeated axis");
    seen[a] = true;
    s[i] = shape_[a];
    st[i] = strides_[a];
  }
  return Tensor(storage_, dtype_, s, st, offset_);
}

Tensor Tensor::transpose(int axis_a, int axis_b) const {
  std::vector<int> order(dim());
  for (int i = 0; i < dim(); ++i) order[i] = i;
  std::swap(order[normalize_axis(axis_a, dim())], order[normalize_axis(axis_b, dim())]);
  return permute(order);
}

Tensor Tensor::slice(int axis, int64_t begin, int64_t end) const {
  int a = normalize_axis(axis, dim());
  if (begin < 0 || end > shape_[a] || begin > end)
    throw std::out_of_range("slice: [" + std::to_string(begin) + "," + std::to_string(end) +
                            ") out of range for axis " + std::to_string(a) + " of " + to_string(shape_));
  Shape s = shape_;
  s[a] = end - begin;
  return Tensor(storage_, dtype_, s, strides_, offset_ + begin * strides_[a]);
}

Tensor Tensor::select(int axis, int64_t index) const {
  int a = normalize_axis(axis, dim());
  Tensor t = slice(a, index, index + 1);
  return t.squeeze(a);
}

Tensor Tensor::expand(const Shape& shape) const {
  if (shape.size() < shape_.size())
    throw std::invalid_argument("expand: cannot expand " + to_string(shape_) + " to " + to_string(shape));
  size_t lead = shape.size() - shape_.size();
  Strides st(shape.size(), 0);
  for (size_t i = 0; i < shape_.size(); ++i) {
    if (shape_[i] == shape[lead + i]) {
      st[lead + i] = strides_[i];
    } else if (shape_[i] != 1) {
      throw std::invalid_argument("expand: cannot expand " + to_string(shape_) + " to " + to_string(shape));
    }
  }
  return Tensor(storage_, dtype_, shape, st, offset_);
}

Tensor Tensor::unsqueeze(int axis) const {
  int a = normalize_axis(axis, dim() + 1);
  Shape s = shape_;
  Strides st = strides_;
  s.insert(s.begin() + a, 1);
  st.insert(st.begin() + a, a < dim() ? strides_[a] * shape_[a] : 1);
  return Tensor(storage_, dtype_, s, st, offset_);
}

Tensor Tensor::squeeze(int axis) const {
  int a = normalize_axis(axis, dim());
  if (shape_[a] != 1)
    throw std::invalid_argument("squeeze: axis " + std::to_string(a) + " has size " + std::to_string(shape_[a]));
  Shape s = shape_;
  Strides st = strides_;
  s.erase(s.begin() + a);
  st.erase(st.begin() + a);
  return Tensor(storage_, dtype_, s, st, offset_);
}

Tensor Tensor::diagonal() const {
  const int r = dim();
  if (r < 2 || shape_[r - 1] != shape_[r - 2])
    throw std::invalid_argument("diagonal: not square, shape " + to_string(shape_));
  Shape s(shape_.begin(), shape_.end() - 1);
  Strides st(strides_.begin(), strides_.end() - 2);
  st.push_back(strides_[r - 2] + strides_[r - 1]);
  return Tensor(storage_, dtype_, s, st, offset_);
}

Tensor Tensor::storage_view(int64_t offset, const Shape& shape) const {
  const int64_t n = pldr::numel(shape);
  if (offset < 0 || size_t(offset + n) * dtype_size(dtype_) > storage_->bytes())
    throw std::out_of_range("storage_view: " + std::to_string(n) + " elements at " + std::to_string(offset) +
                            " do not fit the storage");
  return Tensor(storage_, dtype_, shape, contiguous_strides(shape), offset);
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = uninitialized(shape_, dtype_, device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = uninitialized(shape_, dtype, device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  const Tensor src = contiguous();
  Tensor out = uninitialized(shape_, dtype_, device);
  const size_t bytes = size_t(numel()) * dtype_size(dtype_);
  const void* from = static_cast<const char*>(src.storage_->data()) + src.offset_ * dtype_size(dtype_);
  // One side is the host: there are two devices, and this one differs from `device`.
  if (device == Device::CPU) backend(src.device()).copy_to_host(out.storage_->data(), from, bytes);
  else backend(device).copy_from_host(out.storage_->data(), from, bytes);
  return out;
}

void Tensor::copy_from(const Tensor& src) {
  if (src.device() != device()) return copy_from(src.to(device()));
  Tensor s = src.expand(shape_);
  require_support(device(), Op::Copy, s.dtype());  // both dtypes: copy converts between them
  op_checks::kernels(Op::Copy, *this).copy(*this, s);
}

void Tensor::fill(double value) { op_checks::kernels(Op::Fill, *this).fill(*this, value); }

template <class T> std::vector<T> Tensor::to_vector() const {
  count_host_read(uint64_t(numel()) * dtype_size(dtype()));
  Tensor dense = to(Device::CPU).to(dtype_of<T>()).contiguous();
  const T* p = dense.data<T>();
  return std::vector<T>(p, p + dense.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;

double Tensor::item() const {
  if (numel() != 1)
    throw std::invalid_argument("item: tensor of shape " + to_string(shape_) + " has more than one element");
  return to_vector<double>()[0];
}

}  // namespace pldr
