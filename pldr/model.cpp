#include "pldr/model.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "autograd/ops.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace pldr {

DecoderLayer::DecoderLayer(const PldrConfig& c, DType dtype)
    : mha1(c, dtype),
      ffn(c.hidden_size, c.intermediate_size, c.glu_bias, dtype),
      layernorm1(c.hidden_size, c.layer_norm_eps, dtype),
      layernorm2(c.hidden_size, c.layer_norm_eps, dtype) {
  register_module("mha1", mha1);
  register_module("ffn", ffn);
  register_module("layernorm1", layernorm1);
  register_module("layernorm2", layernorm2);
}

ag::Variable DecoderLayer::forward(const ag::Variable& x, const Tensor& additive_mask, int64_t position,
                                   LayerCache* cache, const Tensor* fixed_G, LayerDeductive& deductive,
                                   const TokenLayout* layout) const {
  ag::Variable x1 =
      layernorm1.forward(ag::add(mha1.forward(x, additive_mask, position, cache, fixed_G, deductive, layout), x));
  return layernorm2.forward(ag::add(ffn.forward(x1), x1));
}

Decoder::Decoder(const PldrConfig& c, DType dtype)
    : embedding(c.vocab_size, c.hidden_size, dtype), layernorm1(c.hidden_size, c.layer_norm_eps, dtype) {
  register_module("embedding", embedding);
  register_module("layernorm1", layernorm1);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    dec_layers.push_back(std::make_unique<DecoderLayer>(c, dtype));
    register_module("dec_layers." + std::to_string(l), *dec_layers.back());
  }
}

PldrModel::PldrModel(const PldrConfig& config, DType dtype)
    : decoder((config.validate(), config), dtype),
      final_layer(config.hidden_size, config.vocab_size, config.final_bias, dtype),
      config_(config),
      dtype_(dtype) {
  register_module("decoder", decoder);
  register_module("final_layer", final_layer);
  if (config.custom_G_type != GType::Learned) {
    const Tensor identity =
        ops::eye(config.head_dim, dtype).expand({1, config.num_attention_heads, config.head_dim, config.head_dim});
    for (int64_t l = 0; l < config.num_hidden_layers; ++l) predefined_G.push_back(identity.contiguous());
  }
}

void PldrModel::to(DType dtype) {
  nn::Module::to(dtype);
  for (Tensor& g : predefined_G) g = g.to(dtype);
  dtype_ = dtype;
}

void PldrModel::to(Device device) {
  nn::Module::to(device);
  for (Tensor& g : predefined_G) g = g.to(device);
  device_ = device;
}

namespace {
// Where a padded batch's tokens sit (positions, A weights) and the additive mask [B, 1, 1, P+S]
// that hides its pads as keys: -1e9 at pads. is_token covers the P cached and S new positions.
struct PaddedLayout {
  TokenLayout layout;
  Tensor key_mask;
};

PaddedLayout padded_layout(const std::vector<uint8_t>& is_token, int64_t B, int64_t keys, int64_t num_queries,
                           bool pads_enter_A, DType dtype, Device device) {
  const int64_t first = keys - num_queries;
  PaddedLayout p;
  p.layout.positions.resize(B * num_queries);
  std::vector<double> key_mask(B * keys), A_weight(B * num_queries);
  for (int64_t b = 0; b < B; ++b) {
    int64_t tokens = 0, pads = 0;  // before position t in this row
    for (int64_t t = 0; t < keys; ++t) {
      const bool token = is_token[b * keys + t] != 0;
      key_mask[b * keys + t] = token ? 0.0 : -1e9;
      if (t >= first) {
        const int64_t s = b * num_queries + t - first;
        A_weight[s] = token || pads_enter_A ? 1.0 : 0.0;
        // An excluded pad's rotation changes nothing; it continues its run so that RoPE rotates
        // each row in at most two pieces.
        p.layout.positions[s] = token ? tokens : pads_enter_A ? 1 : tokens > 0 ? tokens + pads : pads;
      }
      (token ? tokens : pads) += 1;
    }
  }
  p.key_mask = from_vector(key_mask, {B, 1, 1, keys}, dtype, device);
  p.layout.A_weight = from_vector(A_weight, {B, 1, num_queries, 1}, dtype, device);
  return p;
}

// The layout of a padded input: the new positions' mask (all tokens when none is given) after the
// cached ones, which the cache keeps for later steps. None for input that never had a pad.
std::optional<PaddedLayout> padded_input(const Tensor& ids, int64_t keys, InferenceCache* cache, const Padding* padding,
                                         DType dtype) {
  const bool cache_padded = cache && !cache->is_token.empty();
  if (!padding && !cache_padded) return std::nullopt;
  const int64_t B = ids.shape()[0], S = ids.shape()[1], P = keys - S;
  if (padding && static_cast<int64_t>(padding->is_token.size()) != B * S)
    throw std::invalid_argument("model: padding mask has " + std::to_string(padding->is_token.size()) +
                                " entries for ids " + to_string(ids.shape()));
  std::vector<uint8_t> is_token(B * keys, 1);
  for (int64_t b = 0; b < B; ++b) {
    if (cache_padded) std::copy_n(cache->is_token.begin() + b * P, P, is_token.begin() + b * keys);
    if (padding) std::copy_n(padding->is_token.begin() + b * S, S, is_token.begin() + b * keys + P);
  }
  if (cache) cache->is_token = is_token;
  return padded_layout(is_token, B, keys, S, padding && padding->pads_enter_A, dtype, ids.device());
}
}  // namespace

ForwardResult PldrModel::forward(const Tensor& ids, InferenceCache* cache, const Padding* padding) const {
  if (ids.dtype() != DType::Int32 || ids.dim() != 2)
    throw std::invalid_argument("model: ids must be int32 [B, S], got " + std::string(dtype_name(ids.dtype())) + " " +
                                to_string(ids.shape()));
  if (ids.device() != device_)
    throw std::invalid_argument(std::string("model: ids are on ") + device_name(ids.device()) + ", the model on " +
                                device_name(device_));
  if (cache && static_cast<int64_t>(cache->layers.size()) != config_.num_hidden_layers)
    throw std::invalid_argument("model: cache has " + std::to_string(cache->layers.size()) + " layers, model has " +
                                std::to_string(config_.num_hidden_layers));
  const int64_t position = cache ? cache->length() : 0;
  Tensor key_ids = ids;
  if (cache) {
    const int64_t capacity = cache->capacity() > 0 ? cache->capacity() : config_.max_position_embeddings;
    key_ids = cache->key_ids = append_in_place(cache->key_id_buffer, position, ids, 1, capacity);
  }
  Tensor mask = ops::attention_mask(key_ids, ids.shape()[1], dtype_, static_cast<int>(config_.pad_token_id));
  const std::optional<PaddedLayout> padded = padded_input(ids, key_ids.shape()[1], cache, padding, dtype_);
  if (padded) mask = ops::add(mask, padded->key_mask);

  // §3.1: embedding scaled by sqrt(d) (computed in float32 by the reference), then decoder.layernorm1.
  const double sqrt_d = static_cast<float>(std::sqrt(static_cast<float>(config_.hidden_size)));
  ag::Variable x = ag::mul_scalar(decoder.embedding.forward(ids), sqrt_d);
  x = decoder.layernorm1.forward(x);
  ForwardResult result;
  result.layers.resize(config_.num_hidden_layers);
  for (int64_t l = 0; l < config_.num_hidden_layers; ++l) {
    const Tensor* fixed_G = predefined_G.empty() ? nullptr : &predefined_G[l];
    x = decoder.dec_layers[l]->forward(x, mask, position, cache ? &cache->layers[l] : nullptr, fixed_G,
                                       result.layers[l], padded ? &padded->layout : nullptr);
  }
  result.hidden = x;
  result.logits = final_layer.forward(x);  // §3.4
  return result;
}

namespace {
// U(-bound, bound) with bound = sqrt(6 / (fan_in + fan_out)); fans of a [out, in] weight.
Tensor xavier_uniform(Generator& gen, const Shape& shape, int64_t fan_in, int64_t fan_out, DType dtype) {
  const double bound = std::sqrt(6.0 / double(fan_in + fan_out));
  return gen.uniform(shape, -bound, bound, dtype);
}

void init_linear_xavier(Generator& gen, nn::Linear& layer, DType dtype) {
  const Shape& s = layer.weight.shape();
  layer.weight.mutable_value() = xavier_uniform(gen, s, s[1], s[0], dtype);
  if (layer.bias.defined()) layer.bias.mutable_value() = zeros(layer.bias.shape(), dtype);
}

void init_glu(Generator& gen, nn::GatedLinearUnit& glu, DType dtype) {
  init_linear_xavier(gen, glu.gluw1, dtype);
  init_linear_xavier(gen, glu.gluw2, dtype);
  init_linear_xavier(gen, glu.gluw3, dtype);
}
}  // namespace

void PldrModel::initialize(uint64_t seed) {
  const Device device = device_;
  to(Device::CPU);  // the draws below replace every value: moving first costs one copy
  Generator gen(seed);
  const DType dt = dtype_;
  const PldrConfig& c = config_;
  decoder.embedding.weight.mutable_value() = gen.normal(decoder.embedding.weight.shape(), 0.0, 1.0, dt);  // N(0,1)
  for (auto& layer : decoder.dec_layers) {
    PowerLawGraphAttention& att = layer->mha1;
    init_linear_xavier(gen, att.wq, dt);
    init_linear_xavier(gen, att.wk, dt);
    init_linear_xavier(gen, att.dense, dt);
    // The reference re-initialises wk where it meant wv (docs/pldr-llm.md §7), so wv keeps PyTorch's Linear
    // default: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Reproduced on purpose.
    const double bound = 1.0 / std::sqrt(double(c.hidden_size));
    att.wv.weight.mutable_value() = gen.uniform(att.wv.weight.shape(), -bound, bound, dt);
    if (att.wv.bias.defined()) att.wv.bias.mutable_value() = gen.uniform(att.wv.bias.shape(), -bound, bound, dt);
    if (att.plgatt_layer) {
      // xavier_normal on [H, dk, dk]: PyTorch's fans are fan_in = dk*dk, fan_out = H*dk.
      PowerLawParameters& p = *att.plgatt_layer;
      const double std = std::sqrt(2.0 / double(c.head_dim * c.head_dim + c.num_attention_heads * c.head_dim));
      p.Wlst.mutable_value() = gen.normal(p.Wlst.shape(), 0.0, std, dt);
      p.pwlst.mutable_value() = gen.normal(p.pwlst.shape(), 0.0, std, dt);
      p.alst.mutable_value() = gen.normal(p.alst.shape(), 0.0, std, dt);
      p.blst.mutable_value() = zeros(p.blst.shape(), dt);
      p.balst.mutable_value() = zeros(p.balst.shape(), dt);
      for (auto& unit : att.reslayerAs)
        for (auto& glu : unit->denseAs) init_glu(gen, *glu, dt);
    }
    init_glu(gen, layer->ffn, dt);
  }
  init_linear_xavier(gen, final_layer, dt);
  if (c.custom_G_type == GType::Random)  // G ~ N(0, 1) (docs/pldr-llm.md §4.4)
    for (Tensor& g : predefined_G) g = gen.normal(g.shape(), 0.0, 1.0, dt);
  to(device);
}

}  // namespace pldr
