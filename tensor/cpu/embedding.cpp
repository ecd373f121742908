// Embedding lookup (row gather) and its backward (row scatter-add).
#include <cstring>
#include <stdexcept>
#include <string>

#include "tensor/cpu/kernels.h"

namespace pldr::cpu {

void embedding(Tensor& out, const Tensor& weight, const Tensor& ids) {
  dispatch_floating(weight.dtype(), "embedding", [&](auto tag) {
    using T = decltype(tag);
    const int64_t vocab = weight.shape()[0], d = weight.shape()[1], n = ids.numel();
    const int32_t* pid = ids.data<int32_t>();
    const T* pw = weight.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      const int32_t id = pid[i];
      if (id < 0 || id >= vocab)
        throw std::out_of_range("embedding: token id " + std::to_string(id) + " outside vocabulary of " +
                                std::to_string(vocab));
      std::memcpy(po + i * d, pw + id * d, sizeof(T) * d);
    }
  });
}

void embedding_back(Tensor& out, const Tensor& g, const Tensor& ids) {
  dispatch_floating(g.dtype(), "embedding_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t d = out.shape()[1], n = ids.numel();
    const int32_t* pid = ids.data<int32_t>();
    const T* pg = g.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < n; ++i)  // sequential: repeated ids add up in a fixed order
      for (int64_t j = 0; j < d; ++j) po[pid[i] * d + j] += pg[i * d + j];
  });
}

}  // namespace pldr::cpu
