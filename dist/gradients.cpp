#include "dist/gradients.h"

#include <cstring>

namespace pldr::dist {

char* floating_bytes(Tensor& t) {
  return t.dtype() == DType::Float64 ? reinterpret_cast<char*>(t.data<double>())
                                     : reinterpret_cast<char*>(t.data<float>());
}

namespace {

// Gradients waiting in a bucket: all of one dtype, packed back to back.
struct Bucket {
  std::vector<Tensor> grads;
  std::vector<char> buffer;
  DType dtype = DType::Float32;
  size_t used = 0;  // bytes

  void flush(ProcessGroup& group) {
    if (grads.empty()) return;
    size_t at = 0;
    for (Tensor& g : grads) {
      const size_t n = size_t(g.numel()) * dtype_size(dtype);
      std::memcpy(buffer.data() + at, floating_bytes(g), n);
      at += n;
    }
    group.all_reduce(buffer.data(), at / dtype_size(dtype), dtype);
    at = 0;
    for (Tensor& g : grads) {
      const size_t n = size_t(g.numel()) * dtype_size(dtype);
      std::memcpy(floating_bytes(g), buffer.data() + at, n);
      at += n;
    }
    grads.clear();
    used = 0;
  }
};

}  // namespace

void all_reduce_gradients(ProcessGroup& group, const std::vector<ag::Variable>& parameters, size_t bucket_bytes) {
  if (group.world_size() == 1) return;
  Bucket bucket;
  bucket.buffer.resize(bucket_bytes);
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
      group.all_reduce(floating_bytes(g), size_t(g.numel()), g.dtype());
      continue;
    }
    if (g.dtype() != bucket.dtype || bucket.used + n > bucket_bytes) bucket.flush(group);
    bucket.dtype = g.dtype();
    bucket.grads.push_back(g);
    bucket.used += n;
  }
  bucket.flush(group);
}

}  // namespace pldr::dist
