#include "pldr/cache.h"

#include "tensor/creation.h"

namespace pldr {

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
