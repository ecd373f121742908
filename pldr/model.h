// The PLDR-LLM: embedding, post-LN decoder layers with Power Law Graph Attention, LM head
// (docs/pldr-llm.md §3). Parameter names are the reference's state_dict names (docs/pldr-llm.md §5).
#pragma once
#include <memory>
#include <vector>

#include "pldr/attention.h"

namespace pldr {

// dec_layers.l: x1 = LN1(PLGA(x) + x), x2 = LN2(FFN(x1) + x1)  (docs/pldr-llm.md §3.2)
class DecoderLayer : public nn::Module {
 public:
  DecoderLayer(const PldrConfig& c, DType dtype);
  ag::Variable forward(const ag::Variable& x, const Tensor& additive_mask, int64_t position, LayerCache* cache,
                       const Tensor* fixed_G, LayerDeductive& deductive, const TokenLayout* layout = nullptr) const;
  PowerLawGraphAttention mha1;
  nn::GatedLinearUnit ffn;
  nn::LayerNorm layernorm1, layernorm2;
};

class Decoder : public nn::Module {
 public:
  Decoder(const PldrConfig& c, DType dtype);
  nn::Embedding embedding;
  nn::LayerNorm layernorm1;  // applied to the scaled embedding; there is no final LayerNorm
  std::vector<std::unique_ptr<DecoderLayer>> dec_layers;
};

// A padded batch (docs/pldr-llm.md §10.3): which new positions are tokens and which are pads. Pads are
// hidden as keys (whatever their id); by default their queries are also left out of A = qᵀq, so
// each row is computed exactly as alone. pads_enter_A lets them in, as the Hugging Face code does
// with padded batches (the reference itself only runs unpadded sequences). RoPE positions come
// from the mask: a token's position is the number of tokens before it in its row (cached ones
// included); a pad entering A takes position 1 (Hugging Face's position_ids rule).
struct Padding {
  std::vector<uint8_t> is_token;  // [B, S] row-major, 1 for a token, 0 for a pad
  bool pads_enter_A = false;
};

struct ForwardResult {
  ag::Variable logits;  // [B, S, V]
  ag::Variable hidden;  // the last layer's output [B, S, d]
  std::vector<LayerDeductive> layers;
};

class PldrModel : public nn::Module {
 public:
  PldrModel(const PldrConfig& config, DType dtype = DType::Float32);

  // ids int32 [B, S]. Without a cache: one pass over the whole input, causal + key-padding mask
  // (keys with id 0), G from this input. With a cache: positions continue after the cached ones,
  // keys/values are appended and G follows the G-cache (docs/pldr-llm.md §4). With padding (or a cache that
  // holds a padded batch), see Padding.
  ForwardResult forward(const Tensor& ids, InferenceCache* cache = nullptr, const Padding* padding = nullptr) const;

  // The reference initialisation (docs/pldr-llm.md §7), seeded: drawn on the CPU (Philox), then copied to
  // the model's device, so every device starts from the same numbers.
  void initialize(uint64_t seed);

  const PldrConfig& config() const { return config_; }
  DType dtype() const { return dtype_; }
  // Where the parameters and predefined G live; forward() wants ids on this device.
  Device device() const { return device_; }
  // Converts (to) or moves (to) every parameter, gradient and predefined G in place.
  void to(DType dtype);
  void to(Device device);

  // Predefined G per layer ([1, H, dk, dk]) for custom_G_type identity/random/external.
  std::vector<Tensor> predefined_G;

  Decoder decoder;
  nn::Linear final_layer;

 private:
  PldrConfig config_;
  DType dtype_;
  Device device_ = Device::CPU;
};

}  // namespace pldr
