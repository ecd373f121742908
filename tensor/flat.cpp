#include "tensor/flat.h"

namespace pldr {

std::vector<Tensor> flat_buffer_like(const std::vector<Tensor>& like) {
  std::vector<Tensor> views;
  size_t i = 0;
  while (i < like.size()) {
    const DType dtype = like[i].dtype();
    const Device device = like[i].device();
    size_t end = i;
    int64_t total = 0;
    for (; end < like.size() && like[end].dtype() == dtype && like[end].device() == device; ++end)
      total += like[end].numel();
    const Tensor buffer = Tensor::empty({total}, dtype, device);
    int64_t at = 0;
    for (; i < end; ++i) {
      const int64_t n = like[i].numel();
      views.push_back(buffer.slice(0, at, at + n).view(like[i].shape()));
      at += n;
    }
  }
  return views;
}

Tensor joined_view(const std::vector<Tensor>& parts) {
  if (parts.empty()) return Tensor();
  const Tensor& first = parts.front();
  int64_t next = first.offset();
  for (const Tensor& p : parts) {
    if (!p.defined() || !p.is_contiguous() || !p.shares_storage(first) || p.dtype() != first.dtype() ||
        p.offset() != next)
      return Tensor();
    next += p.numel();
  }
  return first.storage_view(first.offset(), {next - first.offset()});
}

}  // namespace pldr
