// Recovering a reference's RoPE table from its own outputs: a diagnostic for
// reference/rope_reference_table.h, which computes the same table from first principles.
//
// The reference builds its cos/sin table in float32 with PyTorch's vectorised cosf/sinf, which
// is within one ulp of the correctly rounded value but not always equal to it; the table then
// multiplies float64 activations. A golden file's layer-0 scores pin the table down: query 0
// and key 0 are not rotated (position 0), so for every position p
//   scores[b,h,0,p]·sqrt(dk) = (G_bh q_0)ᵀ R_p k_p   and   scores[b,h,p,0]·sqrt(dk) = (R_p q_p)ᵀ G_bh k_0
// are linear in the dk unknowns (cos, sin of each pair at p), with q, k the unrotated layer-0
// projections. Solved by least squares over batch and heads, then rounded to float32.
#pragma once
#include <vector>

#include "pldr/model.h"
#include "reference/rope_reference_table.h"

namespace pldr::reference {

// input_ids [B, S]; G0 = layer 0's G_LM [B, H, dk, dk]; scores0 = layer 0's scores [B, H, S, S].
RopeTable fit_rope_table(const PldrModel& model, const Tensor& input_ids, const Tensor& G0, const Tensor& scores0);

// The reference's table for a model's configuration (reference/rope_reference_table.h), `positions` rows.
RopeTable reference_rope_table(const PldrConfig& config, int64_t positions, SimdLanes lanes = SimdLanes::Avx2);

}  // namespace pldr::reference
