#include "dist/gradients.h"

namespace pldr::dist {

namespace {

// Gradients waiting in a bucket: all of one dtype on one device, packed back to back into
// `buffer`, a tensor of that dtype and device made when the first of them arrives.
struct Bucket {
  size_t bytes = 0;  // capacity
  std::vector<Tensor> grads;
  Tensor buffer;
  int64_t used = 0;  // elements

  bool fits(const Tensor& g) const {
    return buffer.defined() && g.dtype() == buffer.dtype() && g.device() == buffer.device() &&
           size_t(used + g.numel()) <= size_t(buffer.numel());
  }

  void add(const Tensor& g) {
    if (!buffer.defined() || g.dtype() != buffer.dtype() || g.device() != buffer.device())
      buffer = Tensor::uninitialized({int64_t(bytes / dtype_size(g.dtype()))}, g.dtype(), g.device());
    buffer.storage_view(used, {g.numel()}).copy_from(g.view({g.numel()}));
    grads.push_back(g);
    used += g.numel();
  }

  void flush(ProcessGroup& group) {
    if (grads.empty()) return;
    Tensor packed = buffer.storage_view(0, {used});
    group.all_reduce(packed);
    int64_t at = 0;
    for (Tensor& g : grads) {
      g.copy_from(buffer.storage_view(at, {g.numel()}).view(g.shape()));
      at += g.numel();
    }
    grads.clear();
    used = 0;
  }
};

}  // namespace

void all_reduce_gradients(ProcessGroup& group, const std::vector<ag::Variable>& parameters, size_t bucket_bytes) {
  if (group.world_size() == 1) return;
  Bucket bucket;
  bucket.bytes = bucket_bytes;
  for (const ag::Variable& p : parameters) {
    if (!p.grad().defined()) continue;
    Tensor g = p.grad();
    if (!g.is_contiguous()) {
      g = g.contiguous();
      ag::Variable(p).set_grad(g);  // a Variable is a handle: the copy sets the parameter's gradient
    }
    const size_t n = size_t(g.numel()) * dtype_size(g.dtype());
    if (n == 0) continue;
    if (n >= bucket_bytes) {
      group.all_reduce(g);
      continue;
    }
    if (!bucket.fits(g)) bucket.flush(group);
    bucket.add(g);
  }
  bucket.flush(group);
}

}  // namespace pldr::dist
