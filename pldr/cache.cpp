#include "pldr/cache.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tensor/creation.h"

namespace pldr {

Tensor append_in_place(Tensor& buffer, int64_t length, const Tensor& fresh, int axis, int64_t capacity) {
  const int64_t end = length + fresh.shape()[axis];
  if (buffer.defined()) {
    bool fits = buffer.dim() == fresh.dim();
    for (int i = 0; fits && i < fresh.dim(); ++i) fits = i == axis || buffer.shape()[i] == fresh.shape()[i];
    if (!fits)
      throw std::invalid_argument("cache: new entries " + to_string(fresh.shape()) + " do not fit the cached " +
                                  to_string(buffer.shape()) + " (a cache holds one batch)");
  }
  if (!buffer.defined() || end > buffer.shape()[axis]) {
    Shape shape = fresh.shape();
    shape[axis] = buffer.defined() ? std::max(end, 2 * buffer.shape()[axis]) : std::max(end, capacity);
    Tensor grown = Tensor::uninitialized(shape, fresh.dtype(), fresh.device());
    if (length > 0) grown.slice(axis, 0, length).copy_from(buffer.slice(axis, 0, length));
    buffer = grown;
  }
  buffer.slice(axis, length, end).copy_from(fresh);
  return buffer.slice(axis, 0, end);
}

void InferenceCache::reserve(int64_t positions) {
  if (length() > 0) throw std::logic_error("cache: reserve before the first forward");
  if (positions <= 0) throw std::invalid_argument("cache: reserve " + std::to_string(positions) + " positions");
  for (LayerCache& layer : layers) layer.capacity = positions;
}

InferenceCache InferenceCache::with_fixed_G(const std::vector<Tensor>& G_per_layer) {
  InferenceCache cache(static_cast<int64_t>(G_per_layer.size()));
  for (size_t l = 0; l < G_per_layer.size(); ++l) {
    LayerCache& layer = cache.layers[l];
    layer.g_frozen = true;
    layer.G_LM = G_per_layer[l];
    layer.A = layer.A_LM = layer.Ap = zeros(G_per_layer[l].shape(), G_per_layer[l].dtype(), G_per_layer[l].device());
  }
  return cache;
}

}  // namespace pldr
