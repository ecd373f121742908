// Inference caches passed explicitly to the model (docs/pldr-llm.md §4): per layer the KV-cache and the
// G-cache, so a reader sees when G is computed and when it is reused.
//
// Keys, values and key ids live in buffers allocated once for `capacity` positions and written in
// place at the current length, so a decode step copies only its new token's entries and every
// step reads the same addresses; the filled prefix is a view of each buffer. The capacity is
// InferenceCache::reserve's (generate() reserves prompt + new tokens), else the model's
// max_position_embeddings. A forward past it grows the buffers to at least twice their size
// (one copy of the filled prefix, new addresses from then on) rather than failing, because
// NeoX-pairing models may run past max_position_embeddings (docs/pldr-llm.md §10.5).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

// Writes `fresh` after the first `length` entries of `buffer` along `axis` and returns the filled
// view [0, length + fresh's size) of it. Allocates the buffer (on fresh's device) for `capacity`
// entries on first use and grows it as above; fresh's other axes must match the buffer's.
Tensor append_in_place(Tensor& buffer, int64_t length, const Tensor& fresh, int axis, int64_t capacity);

struct LayerCache {
  Tensor keys, values;              // [B, H, P, dk] views of the buffers; keys after RoPE, values without
  Tensor key_buffer, value_buffer;  // [B, H, capacity, dk]
  int64_t capacity = 0;             // positions the buffers are allocated for; 0: max_position_embeddings
  // G-cache (§4.2): filled by the first call (the whole prompt) and reused, frozen, after it.
  bool g_frozen = false;
  Tensor A, A_LM, Ap, G_LM;   // [B, H, dk, dk]
  bool keep_first_G = false;  // cache_first_G for this generation, whatever the config says (§4.2)
};

struct InferenceCache {
  std::vector<LayerCache> layers;
  Tensor key_ids;        // int32 [B, P]: ids of the cached positions, for the key-padding mask (a view)
  Tensor key_id_buffer;  // int32 [B, capacity]
  // Padded batches (PldrModel::forward with a Padding): 1 for a token, 0 for a pad, [B, P]
  // row-major; empty when no pad was ever given. Pads stay hidden as keys in later steps.
  std::vector<uint8_t> is_token;

  explicit InferenceCache(int64_t num_layers) : layers(num_layers) {}
  int64_t length() const { return key_ids.defined() ? key_ids.shape()[1] : 0; }
  // The positions to allocate for on the first forward (prompt + new tokens); before that forward.
  void reserve(int64_t positions);
  int64_t capacity() const { return layers.empty() ? 0 : layers[0].capacity; }

  // A cache whose G is preset and frozen in every layer (the reference's Gcachelst_init): used to
  // run a learned model with a predefined G, e.g. the identity (plain scaled dot-product attention).
  // Each G is [1 or B, H, dk, dk]; A, A_LM and Ap are zeros.
  static InferenceCache with_fixed_G(const std::vector<Tensor>& G_per_layer);
};

}  // namespace pldr
