// Power Law Graph Attention (docs/pldr-llm.md §3.3), the `mha1` block of a decoder layer, with its residual
// metric learner. Shapes: B batch, S new tokens, P cached tokens, d model width, H heads, dk head width.
#pragma once
#include <memory>
#include <vector>

#include "nn/layers.h"
#include "nn/rotary_embedding.h"
#include "pldr/cache.h"
#include "pldr/config.h"

namespace pldr {

// The deductive outputs of one layer (docs/pldr-llm.md §4.5), plain return values.
struct LayerDeductive {
  ag::Variable A;       // metric tensor after the residual metric learner [B, H, dk, dk]
  ag::Variable A_LM;    // iSwiGLU(W A + b) + 1e-9, the potential tensor
  ag::Variable Ap;      // A_LM ^ pw
  ag::Variable G_LM;    // a Ap + ba, the energy-curvature tensor
  ag::Variable scores;  // q G_LM kᵀ / sqrt(dk), before the mask [B, H, S, P+S]
  ag::Variable E;       // attention probabilities [B, H, S, P+S]
};

// Where the tokens of a padded batch sit (docs/pldr-llm.md §10.3), made by PldrModel::forward from the
// padding mask; absent for unpadded input.
struct TokenLayout {
  std::vector<int64_t> positions;  // [B, S] RoPE position of each new token
  Tensor A_weight;                 // [B, 1, S, 1]: 1 where a query enters A = qᵀq, 0 for an excluded pad
};

// One residual unit of the metric learner: num_denseA GLUs in series, then LN(A + A_in).
class MetricResidualUnit : public nn::Module {
 public:
  MetricResidualUnit(const PldrConfig& c, DType dtype);
  ag::Variable forward(const ag::Variable& A) const;
  std::vector<std::unique_ptr<nn::GatedLinearUnit>> denseAs;
  nn::LayerNorm layernormA;
};

// The per-head power-law parameters [H, dk, dk] (`plgatt_layer`).
class PowerLawParameters : public nn::Module {
 public:
  PowerLawParameters(const PldrConfig& c, DType dtype);
  ag::Variable Wlst, blst, pwlst, alst, balst;
};

class PowerLawGraphAttention : public nn::Module {
 public:
  PowerLawGraphAttention(const PldrConfig& c, DType dtype);

  // x [B, S, d]; additive_mask [B, 1, S, P+S] (0 or -1e9); position = P. With a cache, keys and
  // values are appended and G follows the G-cache rule; fixed_G (a predefined-G model's buffer,
  // [1, H, dk, dk]) replaces the learned G. A layout (padded batches) gives per-token RoPE
  // positions instead of position.. and leaves excluded pads out of A.
  ag::Variable forward(const ag::Variable& x, const Tensor& additive_mask, int64_t position, LayerCache* cache,
                       const Tensor* fixed_G, LayerDeductive& deductive, const TokenLayout* layout = nullptr) const;

  // Steps 4-6 of §3.3: A = LN(qᵀq), the residual metric learner, then A_LM, Ap and G_LM.
  // A_weight [B, 1, S, 1] (optional) multiplies the queries summed into A.
  void deduce_metric(const ag::Variable& q, LayerDeductive& d, const Tensor* A_weight = nullptr) const;

  const PldrConfig config;
  nn::Linear wq, wk, wv, dense;
  // Learned G only (absent for a predefined G, docs/pldr-llm.md §4.4):
  std::unique_ptr<nn::LayerNorm> layernorm1;  // A's LayerNorm
  std::vector<std::unique_ptr<MetricResidualUnit>> reslayerAs;
  std::unique_ptr<PowerLawParameters> plgatt_layer;
  nn::RotaryEmbedding rotary;
};

}  // namespace pldr
