// Single-precision sin, cos and pow exactly as PyTorch's CPU kernels compute them, bit for bit.
//
// PyTorch 1.8 to 2.3 vectorise torch.sin/torch.cos/torch.pow on x86 with SLEEF 3.5.1 (commit
// e0a003ee, the third_party/sleef pin): Vectorized<float>::sin/cos call Sleef_sinf8_u10 /
// Sleef_cosf8_u10 (AVX2; Sleef_*f16_u10 with AVX-512), ::pow calls Sleef_powf8_u10. Those are SLEEF's
// xsinf_u1, xcosf_u1 and xpowf (src/libm/sleefsimdsp.c) built with FMA and full FP rounding, and
// without DETERMINISTIC. This file restates those algorithms in scalar C++ (our own code; SLEEF is
// Copyright Naoki Shibata and contributors, Boost Software License 1.0):
//   * arguments are reduced by Cody-Waite with π split in three floats (|d| < 125), or else by a
//     Payne-Hanek style reduction against 1/(2π) split in four floats, all in double-float
//     (a pair of floats holding hi + lo) arithmetic;
//   * sin on the reduced s is s·(1 + s²·(-1/6 + s²·P(s²))) with the last step in double-float.
//   * pow(x, y) = exp(y·log x) with log and exp kept in double-float.
// The non-deterministic build decides the reduction per vector, not per lane: when any lane of a
// vector has |d| >= 125, every lane takes the Payne-Hanek path, which can round differently from
// Cody-Waite. So the result depends on the lane group; the *_lanes functions take a whole group.
#pragma once
#include <span>

namespace pldr::reference::sleef {

// One vector of sinf/cosf (Sleef_sinf8_u10 semantics for lanes.size() <= 8, or 16 for AVX-512):
// out[i] = f(in[i]) with the group's reduction choice. |in| must be below 2^26 or not finite.
void sinf_u10_lanes(std::span<const float> in, std::span<float> out);
void cosf_u10_lanes(std::span<const float> in, std::span<float> out);

// A single value as a lone lane (the reduction chosen by its own magnitude).
float sinf_u10(float d);
float cosf_u10(float d);

// Sleef_powf*_u10 for x > 0 finite and y finite (all RoPE needs); throws std::domain_error otherwise.
float powf_u10(float x, float y);

}  // namespace pldr::reference::sleef
