// Inference caches passed explicitly to the model (spec §4): per layer the KV-cache and the
// G-cache, so a reader sees when G is computed and when it is reused.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

struct LayerCache {
  Tensor keys, values;  // [B, H, P, dk]; keys after RoPE, values without
  // G-cache (§4.2): filled by the first call (the whole prompt) and reused, frozen, after it.
  bool g_frozen = false;
  Tensor A, A_LM, Ap, G_LM;   // [B, H, dk, dk]
  bool keep_first_G = false;  // cache_first_G for this generation, whatever the config says (§4.2)
};

struct InferenceCache {
  std::vector<LayerCache> layers;
  Tensor key_ids;  // int32 [B, P]: ids of the cached positions, for the key-padding mask
  // Padded batches (PldrModel::forward with a Padding): 1 for a token, 0 for a pad, [B, P]
  // row-major; empty when no pad was ever given. Pads stay hidden as keys in later steps.
  std::vector<uint8_t> is_token;

  explicit InferenceCache(int64_t num_layers) : layers(num_layers) {}
  int64_t length() const { return key_ids.defined() ? key_ids.shape()[1] : 0; }

  // A cache whose G is preset and frozen in every layer (the reference's Gcachelst_init): used to
  // run a learned model with a predefined G, e.g. the identity (plain scaled dot-product attention).
  // Each G is [1 or B, H, dk, dk]; A, A_LM and Ap are zeros.
  static InferenceCache with_fixed_G(const std::vector<Tensor>& G_per_layer);
};

}  // namespace pldr
