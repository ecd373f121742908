#include "pldr/attention.h"

#include <cmath>

#include "autograd/autocast.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr {

MetricResidualUnit::MetricResidualUnit(const PldrConfig& c, DType dtype)
    : layernormA(c.head_dim, c.layer_norm_eps, dtype) {
  for (int64_t t = 0; t < c.num_denseA; ++t) {
    denseAs.push_back(std::make_unique<nn::GatedLinearUnit>(c.head_dim, c.A_dff, c.glu_bias, dtype));
    register_module("denseAs." + std::to_string(t), *denseAs.back());
  }
  register_module("layernormA", layernormA);
}

ag::Variable MetricResidualUnit::forward(const ag::Variable& A_in) const {
  ag::Variable A = A_in;
  for (const auto& glu : denseAs) A = glu->forward(A);
  return layernormA.forward(ag::add(A, A_in));
}

PowerLawParameters::PowerLawParameters(const PldrConfig& c, DType dtype) {
  const Shape s{c.num_attention_heads, c.head_dim, c.head_dim};
  Wlst = register_parameter("Wlst", s, dtype, 0);
  blst = register_parameter("blst", s, dtype, 0);
  pwlst = register_parameter("pwlst", s, dtype, 0);
  alst = register_parameter("alst", s, dtype, 0);
  balst = register_parameter("balst", s, dtype, 0);
}

PowerLawGraphAttention::PowerLawGraphAttention(const PldrConfig& c, DType dtype)
    : config(c),
      wq(c.hidden_size, c.hidden_size, c.attention_bias, dtype),
      wk(c.hidden_size, c.hidden_size, c.attention_bias, dtype),
      wv(c.hidden_size, c.hidden_size, c.attention_bias, dtype),
      dense(c.hidden_size, c.hidden_size, c.attention_bias, dtype),
      rotary(c.head_dim, c.rope_theta, c.max_position_embeddings,
             c.reference_rope ? RotaryPairing::Interleaved : RotaryPairing::RotateHalf) {
  register_module("wq", wq);
  register_module("wk", wk);
  register_module("wv", wv);
  register_module("dense", dense);
  if (c.custom_G_type != GType::Learned) return;
  plgatt_layer = std::make_unique<PowerLawParameters>(c, dtype);
  register_module("plgatt_layer", *plgatt_layer);
  layernorm1 = std::make_unique<nn::LayerNorm>(c.head_dim, c.layer_norm_eps, dtype);
  register_module("layernorm1", *layernorm1);
  for (int64_t j = 0; j < c.num_reslayerA; ++j) {
    reslayerAs.push_back(std::make_unique<MetricResidualUnit>(c, dtype));
    register_module("reslayerAs." + std::to_string(j), *reslayerAs.back());
  }
}

namespace {
// RoPE at per-token positions: one rotation per run of consecutive positions in a row (a padded
// row has at most two runs, its pads and its tokens, unless pads take Hugging Face's position 1).
ag::Variable rotate(const nn::RotaryEmbedding& rotary, const ag::Variable& x, int64_t position,
                    const TokenLayout* layout) {
  if (!layout) return rotary.forward(x, position);
  const int64_t B = x.shape()[0], S = x.shape()[1];
  const std::vector<int64_t>& pos = layout->positions;
  std::vector<ag::Variable> rows;
  for (int64_t b = 0; b < B; ++b) {
    std::vector<ag::Variable> runs;
    for (int64_t t = 0; t < S;) {
      int64_t end = t + 1;
      while (end < S && pos[b * S + end] == pos[b * S + end - 1] + 1) ++end;
      runs.push_back(rotary.forward(ag::slice(ag::slice(x, 0, b, b + 1), 1, t, end), pos[b * S + t]));
      t = end;
    }
    rows.push_back(runs.size() == 1 ? runs[0] : ag::concat(runs, 1));
  }
  return B == 1 ? rows[0] : ag::concat(rows, 0);
}
}  // namespace

void PowerLawGraphAttention::deduce_metric(const ag::Variable& q, LayerDeductive& d, const Tensor* A_weight) const {
  const ag::AutocastGuard float32(ag::Precision::Float32);  // the power law stays float32 (autograd/autocast.h)
  // §3.3 step 4: A = qᵀq over every position of this input (no mask, no 1/S), then LN over rows.
  // Excluded pads (weight 0) add exact zeros, so a padded row gets the A of its tokens alone.
  const ag::Variable q_in_A = A_weight ? ag::mul(q, ag::Variable(*A_weight)) : q;
  ag::Variable A = layernorm1->forward(ag::matmul(ag::transpose(q_in_A, -1, -2), q_in_A));
  // Step 5: the residual metric learner, row-wise on the last axis.
  for (const auto& unit : reslayerAs) A = unit->forward(A);
  d.A = A;
  // Step 6: the power law. W and a multiply from the LEFT; b, ba are added elementwise.
  const PowerLawParameters& p = *plgatt_layer;
  ag::Variable Z = ag::add(ag::matmul(p.Wlst, A), p.blst);
  d.A_LM = ag::add_scalar(nn::iswiglu(Z), 1e-9);  // > 0, so the real power below is defined
  d.Ap = ag::pow(d.A_LM, p.pwlst);
  d.G_LM = ag::add(ag::matmul(p.alst, d.Ap), p.balst);
}

ag::Variable PowerLawGraphAttention::forward(const ag::Variable& x, const Tensor& additive_mask, int64_t position,
                                             LayerCache* cache, const Tensor* fixed_G, LayerDeductive& d,
                                             const TokenLayout* layout) const {
  const int64_t B = x.shape()[0], S = x.shape()[1], H = config.num_attention_heads, dk = config.head_dim;
  auto heads = [&](const ag::Variable& t) { return ag::reshape(t, {B, S, H, dk}); };
  // Steps 1-3: projections, RoPE on q and k at absolute positions P.., then [B, H, S, dk].
  ag::Variable q = ag::transpose(rotate(rotary, heads(wq.forward(x)), position, layout), 1, 2);
  ag::Variable k = ag::transpose(rotate(rotary, heads(wk.forward(x)), position, layout), 1, 2);
  ag::Variable v = ag::transpose(heads(wv.forward(x)), 1, 2);

  if (cache) {  // the KV-cache: earlier keys and values are constants, read in place
    const int64_t P = cache->keys.defined() ? cache->keys.shape()[2] : 0;
    const int64_t capacity = cache->capacity > 0 ? cache->capacity : config.max_position_embeddings;
    const Tensor earlier_keys = cache->keys, earlier_values = cache->values;
    cache->keys = append_in_place(cache->key_buffer, P, k.value(), 2, capacity);
    cache->values = append_in_place(cache->value_buffer, P, v.value(), 2, capacity);
    if (P > 0 && ag::grad_enabled()) {  // recording: the new keys and values keep their gradient
      k = ag::concat({ag::Variable(earlier_keys), k}, 2);
      v = ag::concat({ag::Variable(earlier_values), v}, 2);
    } else if (P > 0) {
      k = ag::Variable(cache->keys);
      v = ag::Variable(cache->values);
    }
  }

  if (fixed_G) {  // a predefined G (docs/pldr-llm.md §4.4): A and A_LM are zeros
    const Tensor zero = zeros(fixed_G->shape(), fixed_G->dtype(), fixed_G->device());
    d.A = d.A_LM = d.Ap = ag::Variable(zero);
    d.G_LM = ag::Variable(*fixed_G);
  } else if (cache && cache->g_frozen) {  // the G-cache (§4.2): frozen at the prompt
    d.A = ag::Variable(cache->A);
    d.A_LM = ag::Variable(cache->A_LM);
    d.Ap = ag::Variable(cache->Ap);
    d.G_LM = ag::Variable(cache->G_LM);
  } else {
    deduce_metric(q, d, layout && layout->A_weight.defined() ? &layout->A_weight : nullptr);
    if (cache) {
      // With cache_first_G only item 0 is kept; later steps broadcast it over the batch, while
      // this first call still uses each item's own G (docs/pldr-llm.md §4.2).
      const bool first_only = config.cache_first_G || cache->keep_first_G;
      auto kept = [&](const ag::Variable& v) { return first_only ? v.value().slice(0, 0, 1).contiguous() : v.value(); };
      cache->A = kept(d.A);
      cache->A_LM = kept(d.A_LM);
      cache->Ap = kept(d.Ap);
      cache->G_LM = kept(d.G_LM);
      cache->g_frozen = true;
    }
  }

  // Step 7: scores = q G kᵀ / sqrt(dk), masked additively, softmax over keys, then E v. The
  // reference divides by sqrt(dk) computed as a float32 tensor, whatever the activation dtype.
  // The scale rides in the product and the mask in the softmax: no pass of their own over the
  // [B, H, S, S] scores, forward or backward (the same numbers: tensor/ops.h).
  const double sqrt_dk = static_cast<float>(std::sqrt(static_cast<float>(dk)));
  d.scores = ag::matmul(ag::matmul(q, d.G_LM), ag::transpose(k, -1, -2), 1.0 / sqrt_dk);
  d.E = ag::softmax(d.scores, additive_mask);
  ag::Variable out = ag::matmul(d.E, v);
  // Step 8: back to [B, S, d] and the output projection.
  return dense.forward(ag::reshape(ag::transpose(out, 1, 2), {B, S, H * dk}));
}

}  // namespace pldr
