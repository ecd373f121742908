#include "reference/rope_table_fit.h"

#include <Eigen/Dense>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

namespace pldr::reference {

RopeTable reference_rope_table(const PldrConfig& c, int64_t positions, SimdLanes lanes) {
  return reference_rope_table(c.head_dim, c.rope_theta, positions,
                              c.reference_rope ? RotaryPairing::Interleaved : RotaryPairing::RotateHalf, lanes);
}

RopeTable fit_rope_table(const PldrModel& model, const Tensor& input_ids, const Tensor& G0, const Tensor& scores0) {
  ag::NoGradGuard no_grad;
  const PldrConfig& c = model.config();
  const int64_t B = input_ids.shape()[0], S = input_ids.shape()[1], H = c.num_attention_heads, dk = c.head_dim,
                half = dk / 2;
  // Unrotated layer-0 queries and keys [B, S, H, dk], exactly as the forward pass makes them.
  const double sqrt_d = static_cast<float>(std::sqrt(static_cast<float>(c.hidden_size)));
  const ag::Variable x =
      model.decoder.layernorm1.forward(ag::mul_scalar(model.decoder.embedding.forward(input_ids), sqrt_d));
  const PowerLawGraphAttention& att = model.decoder.dec_layers[0]->mha1;
  const std::vector<double> q = att.wq.forward(x).value().to_vector<double>(),
                            k = att.wk.forward(x).value().to_vector<double>();
  const std::vector<double> G = G0.to_vector<double>(), X = scores0.to_vector<double>();
  const double sqrt_dk = static_cast<float>(std::sqrt(static_cast<float>(dk)));
  const bool interleaved = c.reference_rope;
  auto pair = [&](int64_t i) { return interleaved ? std::pair{2 * i, 2 * i + 1} : std::pair{i, i + half}; };
  auto qk = [&](const std::vector<double>& v, int64_t b, int64_t s, int64_t h) {
    return &v[((b * S + s) * H + h) * dk];
  };

  RopeTable table = reference_rope_table(c, S);  // position 0 is the identity; rows 1.. are overwritten
  for (int64_t p = 1; p < S; ++p) {
    Eigen::MatrixXd M(2 * B * H, dk);
    Eigen::VectorXd rhs(2 * B * H);
    int64_t row = 0;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h) {
        const double* g = &G[(b * H + h) * dk * dk];
        // Key side: w = Gᵀ q_0 against the rotated k_p; query side: u = G k_0 against the rotated q_p.
        for (int side = 0; side < 2; ++side) {
          const double* fixed = side == 0 ? qk(q, b, 0, h) : qk(k, b, 0, h);
          const double* moving = side == 0 ? qk(k, b, p, h) : qk(q, b, p, h);
          std::vector<double> w(dk, 0.0);
          for (int64_t j = 0; j < dk; ++j)
            for (int64_t l = 0; l < dk; ++l) w[j] += side == 0 ? fixed[l] * g[l * dk + j] : g[j * dk + l] * fixed[l];
          for (int64_t i = 0; i < half; ++i) {
            const auto [j0, j1] = pair(i);
            M(row, i) = w[j0] * moving[j0] + w[j1] * moving[j1];         // coefficient of cos
            M(row, half + i) = w[j1] * moving[j0] - w[j0] * moving[j1];  // coefficient of sin
          }
          const int64_t s = side == 0 ? 0 : p, t = side == 0 ? p : 0;
          rhs(row++) = X[((b * H + h) * S + s) * S + t] * sqrt_dk;
        }
      }
    const Eigen::VectorXd solution = M.colPivHouseholderQr().solve(rhs);
    for (int64_t i = 0; i < half; ++i) {
      table.cos[p * half + i] = static_cast<float>(solution(i));
      table.sin[p * half + i] = static_cast<float>(solution(half + i));
    }
  }
  return table;
}

}  // namespace pldr::reference
