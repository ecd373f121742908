// RoPE in both pairings against values worked by hand from docs/pldr-llm.md §3.3 step 2.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/rotary_embedding.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace pldr {
namespace {

// x [1, S=1, H=1, dk=4] = (1, 2, 3, 4) at position p. θ_0 = 1, θ_1 = 10000^(-1/2) = 0.01.
Tensor rotate(RotaryPairing pairing, int64_t position) {
  nn::RotaryEmbedding rope(4, 10000.0, 64, pairing);
  ag::Variable x(from_vector(std::vector<double>{1, 2, 3, 4}, {1, 1, 1, 4}));
  return rope.forward(x, position).value();
}

TEST(RotaryEmbedding, InterleavedRotatesAdjacentPairs) {
  const std::vector<double> y = rotate(RotaryPairing::Interleaved, 3).to_vector<double>();
  const double c0 = std::cos(3.0), s0 = std::sin(3.0), c1 = std::cos(0.03), s1 = std::sin(0.03);
  // pairs (x0, x1) = (1, 2) at angle 3, (x2, x3) = (3, 4) at angle 0.03; float32 arithmetic.
  EXPECT_NEAR(y[0], 1 * c0 - 2 * s0, 1e-6);
  EXPECT_NEAR(y[1], 2 * c0 + 1 * s0, 1e-6);
  EXPECT_NEAR(y[2], 3 * c1 - 4 * s1, 1e-6);
  EXPECT_NEAR(y[3], 4 * c1 + 3 * s1, 1e-6);
}

TEST(RotaryEmbedding, RotateHalfPairsFirstAndSecondHalves) {
  const std::vector<double> y = rotate(RotaryPairing::RotateHalf, 3).to_vector<double>();
  const double c0 = std::cos(3.0), s0 = std::sin(3.0), c1 = std::cos(0.03), s1 = std::sin(0.03);
  // pairs (x0, x2) = (1, 3) at angle 3 and (x1, x3) = (2, 4) at angle 0.03.
  EXPECT_NEAR(y[0], 1 * c0 - 3 * s0, 1e-6);
  EXPECT_NEAR(y[2], 3 * c0 + 1 * s0, 1e-6);
  EXPECT_NEAR(y[1], 2 * c1 - 4 * s1, 1e-6);
  EXPECT_NEAR(y[3], 4 * c1 + 2 * s1, 1e-6);
}

TEST(RotaryEmbedding, PositionZeroIsIdentityAndOffsetsShift) {
  for (RotaryPairing p : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf}) {
    EXPECT_EQ(rotate(p, 0).to_vector<double>(), (std::vector<double>{1, 2, 3, 4}));
    // A two-token call at offset 5 rotates its second token exactly as a one-token call at 6.
    nn::RotaryEmbedding rope(4, 10000.0, 64, p);
    ag::Variable two(from_vector(std::vector<double>{0, 0, 0, 0, 1, 2, 3, 4}, {1, 2, 1, 4}));
    const Tensor y = rope.forward(two, 5).value().select(1, 1);
    EXPECT_EQ(y.to_vector<double>(), rotate(p, 6).to_vector<double>());
  }
}

TEST(RotaryEmbedding, CachedTablesGiveTheValuesOfAFreshEmbedding) {
  for (RotaryPairing p : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf}) {
    // One embedding serves a short call, then calls past its table (which grows), then a short one.
    nn::RotaryEmbedding reused(4, 10000.0, 64, p);
    Generator gen(2);
    const ag::Variable x(gen.normal({1, 3, 2, 4}, 0, 1, DType::Float64));
    for (int64_t offset : {0, 20, 50, 1}) {
      nn::RotaryEmbedding fresh(4, 10000.0, 64, p);
      EXPECT_EQ(reused.forward(x, offset).value().to_vector<double>(),
                fresh.forward(x, offset).value().to_vector<double>())
          << "offset " << offset;
    }
  }
}

TEST(RotaryEmbedding, SetTableReplacesACachedTable) {
  nn::RotaryEmbedding rope(4, 10000.0, 64, RotaryPairing::Interleaved);
  const ag::Variable x(from_vector(std::vector<double>{1, 2, 3, 4}, {1, 1, 1, 4}));
  const std::vector<double> computed = rope.forward(x, 1).value().to_vector<double>();
  // A preset table for positions 0 and 1 with angle 0 (cos 1, sin 0): position 1 is not rotated.
  rope.set_table({1, 1, 1, 1}, {0, 0, 0, 0});
  EXPECT_EQ(rope.forward(x, 1).value().to_vector<double>(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_NE(computed, (std::vector<double>{1, 2, 3, 4}));
  // Past the preset positions the computed angles still apply.
  EXPECT_NE(rope.forward(x, 2).value().to_vector<double>(), (std::vector<double>{1, 2, 3, 4}));
}

TEST(RotaryEmbedding, InterleavedTableIsBoundedByMaxPositions) {
  nn::RotaryEmbedding rope(4, 10000.0, 8, RotaryPairing::Interleaved);
  ag::Variable x(zeros({1, 2, 1, 4}, DType::Float64));
  EXPECT_NO_THROW(rope.forward(x, 6));
  EXPECT_THROW(rope.forward(x, 7), std::out_of_range);
}

TEST(RotaryEmbedding, BackwardIsTheInverseRotation) {
  for (RotaryPairing p : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf}) {
    nn::RotaryEmbedding rope(4, 10000.0, 64, p);
    ag::Variable x(from_vector(std::vector<double>{1, 2, 3, 4}, {1, 1, 1, 4}), true);
    ag::Variable y = rope.forward(x, 3);
    const Tensor seed = y.value();  // d/dx ½|R x|² = Rᵀ R x = x for a rotation
    y.backward(seed);
    const std::vector<double> g = x.grad().to_vector<double>();
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(g[i], i + 1, 1e-5);
  }
}

}  // namespace
}  // namespace pldr
