// The reference's float32 RoPE cos/sin table, computed bit for bit as PyTorch builds it on x86 CPUs,
// for any head size and position count (docs/pldr-llm.md §3.3 step 2).
//
// How the reference builds it (torchtune RotaryPositionalEmbeddings for v51 / GPT-J; Hugging Face's
// default rotary init for v52 / NeoX; torch 1.8 to 2.3 on CPU):
//   1. θ_i = 1 / base^((2i)/dk) in float32. (2i)/dk and 1/x are single IEEE divisions. base^e is
//      torch.pow(scalar, tensor): ATen's cpu_kernel_vec loop computes blocks of 2·W elements with
//      Vectorized<float>::pow (SLEEF powf u10, W = 8 lanes on AVX2, 16 on AVX-512) and the remaining
//      dk/2 mod 2W elements with the scalar std::pow(float, float), i.e. the C library's powf.
//   2. φ_{p,i} = p·θ_i, one float32 product.
//   3. cos φ and sin φ over the whole contiguous angle buffer, [positions, dk/2] for torchtune and
//      [positions, dk] = cat(freqs, freqs) for Hugging Face: vml::vcos/vsin map W lanes at a time from
//      the buffer's start (the last partial vector is zero-padded), each vector through SLEEF's
//      sinf/cosf u10, whose argument reduction is chosen per vector (sleef_float.h).
// Limits: the buffer is assumed to be mapped as one piece (ATen splits a unary op among threads only
// past 2 x 2048 elements; then the split points, which depend on the thread count, start new lane
// groups, which matters only for vectors mixing angles below and above 125). PyTorch builds with
// MKL route vcos/vsin to MKL's VML instead; the golden files show SLEEF's values (tests/nn).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/ops.h"

namespace pldr::reference {

struct RopeTable {
  int64_t positions = 0, half = 0;
  std::vector<float> cos, sin;  // [positions, half], entry i of a row for the pair (2i, 2i+1) or (i, i+half)
};

// SIMD width PyTorch dispatched to on the reference machine: 8 float lanes (AVX2) or 16 (AVX-512).
enum class SimdLanes : int { Avx2 = 8, Avx512 = 16 };

// θ_i = 1/base^(2i/dk), i < dk/2, as step 1 above.
std::vector<float> reference_inverse_frequencies(int64_t head_dim, double base, SimdLanes lanes = SimdLanes::Avx2);

// The table for positions 0 .. positions-1, as steps 1-3 above for the given pairing.
RopeTable reference_rope_table(int64_t head_dim, double base, int64_t positions, RotaryPairing pairing,
                               SimdLanes lanes = SimdLanes::Avx2);

}  // namespace pldr::reference
