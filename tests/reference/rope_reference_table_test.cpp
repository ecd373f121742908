// The reference's RoPE table computed as PyTorch does (reference/rope_reference_table.h) and the SLEEF
// float functions under it (reference/sleef_float.h), against values one can reason about: exact angles,
// symmetry, and one-ulp agreement with correctly rounded values from long double. That the table is
// PyTorch's own, bit for bit, is shown by the golden files (tests/pldr/golden_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "reference/rope_reference_table.h"
#include "reference/sleef_float.h"

namespace pldr::reference {
namespace {

// Distance in float32 ulps between a float and the exact value v (in long double).
double ulps_from(float f, long double v) {
  const float nearest = static_cast<float>(v);
  const float step = std::abs(std::nextafter(nearest, INFINITY) - nearest);
  return static_cast<double>(std::abs(static_cast<long double>(f) - v) / step);
}

std::vector<float> sample_angles() {
  std::vector<float> a;
  for (int k = 0; k < 20000; ++k) a.push_back(static_cast<float>(k) * 0.01731f);       // [0, 346)
  for (int k = 0; k < 4000; ++k) a.push_back(static_cast<float>(k) * 0.99f + 100.0f);  // the 125 boundary and beyond
  for (int k = 0; k < 1000; ++k) a.push_back(std::ldexp(1.0f + k / 1000.0f, 10 + k % 15));  // up to 2^25
  return a;
}

TEST(SleefFloat, KnownAngles) {
  EXPECT_EQ(sleef::cosf_u10(0.0f), 1.0f);
  EXPECT_EQ(sleef::sinf_u10(0.0f), 0.0f);
  EXPECT_TRUE(std::signbit(sleef::sinf_u10(-0.0f)));
  const float pi = 3.14159265358979f;
  EXPECT_NEAR(sleef::sinf_u10(pi / 6), 0.5f, 1e-7f);
  EXPECT_NEAR(sleef::cosf_u10(pi / 3), 0.5f, 1e-7f);
  EXPECT_NEAR(sleef::cosf_u10(pi), -1.0f, 1e-7f);
  EXPECT_LT(std::abs(sleef::cosf_u10(pi / 2)), 1e-7f);
  EXPECT_TRUE(std::isnan(sleef::sinf_u10(INFINITY)));
  EXPECT_TRUE(std::isnan(sleef::cosf_u10(NAN)));
  EXPECT_THROW(sleef::sinf_u10(1e9f), std::domain_error);  // beyond the supported reduction range
}

TEST(SleefFloat, SinIsOddAndCosEven) {
  for (float a : sample_angles()) {
    EXPECT_EQ(sleef::sinf_u10(-a), -sleef::sinf_u10(a)) << a;
    // cos reduces -a and a to different odd multiples of π/2, so the two may round one ulp apart.
    EXPECT_LE(std::abs(sleef::cosf_u10(-a) - sleef::cosf_u10(a)),
              std::abs(std::nextafter(sleef::cosf_u10(a), 2.0f) - sleef::cosf_u10(a)))
        << a;
  }
}

TEST(SleefFloat, WithinOneUlpOfCorrectlyRoundedAndNotAlwaysEqual) {
  int64_t differ = 0;
  for (float a : sample_angles()) {
    const long double x = a;
    const float s = sleef::sinf_u10(a), c = sleef::cosf_u10(a);
    EXPECT_LT(ulps_from(s, std::sin(x)), 1.0) << "sin " << a;
    EXPECT_LT(ulps_from(c, std::cos(x)), 1.0) << "cos " << a;
    differ += (s != static_cast<float>(std::sin(x))) + (c != static_cast<float>(std::cos(x)));
  }
  EXPECT_GT(differ, 0);  // not correctly rounded: a correctly rounded cosf/sinf is not the reference's
}

// A vector with one lane at or above 125 takes the Payne-Hanek reduction in every lane; small lanes
// still come out within one ulp, and their value can differ from a lone evaluation.
TEST(SleefFloat, LaneGroupChoosesTheReduction) {
  std::vector<float> lanes{0.5f, 1.3f, 2.9f, 7.7f, 33.3f, 60.1f, 99.9f, 200.0f};
  std::vector<float> s(8), c(8);
  sleef::sinf_u10_lanes(lanes, s);
  sleef::cosf_u10_lanes(lanes, c);
  for (size_t i = 0; i < lanes.size(); ++i) {
    EXPECT_LT(ulps_from(s[i], std::sin(static_cast<long double>(lanes[i]))), 1.0);
    EXPECT_LT(ulps_from(c[i], std::cos(static_cast<long double>(lanes[i]))), 1.0);
  }
  EXPECT_EQ(s[7], sleef::sinf_u10(200.0f));
  std::vector<float> out(3);
  EXPECT_THROW(sleef::sinf_u10_lanes(lanes, out), std::invalid_argument);
}

TEST(SleefFloat, PowWithinOneUlp) {
  for (int dk : {8, 16, 64, 128, 96})
    for (int i = 0; i < dk / 2; ++i) {
      const float e = static_cast<float>(2 * i) / static_cast<float>(dk);
      EXPECT_LT(ulps_from(sleef::powf_u10(10000.0f, e), std::pow(10000.0L, static_cast<long double>(e))), 1.0) << e;
    }
  EXPECT_EQ(sleef::powf_u10(10000.0f, 0.0f), 1.0f);
  EXPECT_EQ(sleef::powf_u10(1.0f, 3.5f), 1.0f);
  EXPECT_NEAR(sleef::powf_u10(2.0f, 10.0f), 1024.0f, 1e-3f);
  EXPECT_THROW(sleef::powf_u10(-2.0f, 0.5f), std::domain_error);
}

TEST(RopeReferenceTable, InverseFrequencies) {
  for (int64_t dk : {8, 16, 40, 64, 128})
    for (SimdLanes lanes : {SimdLanes::Avx2, SimdLanes::Avx512}) {
      const std::vector<float> theta = reference_inverse_frequencies(dk, 10000.0, lanes);
      ASSERT_EQ(theta.size(), size_t(dk / 2));
      EXPECT_EQ(theta[0], 1.0f);
      for (int64_t i = 0; i < dk / 2; ++i) {
        const long double e = static_cast<float>(2 * i) / static_cast<float>(dk);
        EXPECT_LT(ulps_from(theta[i], 1.0L / std::pow(10000.0L, e)), 1.5) << dk << " " << i;
        if (i > 0) {
          EXPECT_LT(theta[i], theta[i - 1]);
        }
      }
    }
  EXPECT_THROW(reference_inverse_frequencies(7, 10000.0), std::invalid_argument);
  EXPECT_THROW(reference_inverse_frequencies(8, -1.0), std::invalid_argument);
}

TEST(RopeReferenceTable, ShapesPositionZeroAndPairings) {
  for (RotaryPairing pairing : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf}) {
    const RopeTable t = reference_rope_table(64, 10000.0, 300, pairing);
    ASSERT_EQ(t.positions, 300);
    ASSERT_EQ(t.half, 32);
    ASSERT_EQ(t.cos.size(), 300u * 32u);
    for (int64_t i = 0; i < 32; ++i) {  // position 0: the identity
      EXPECT_EQ(t.cos[i], 1.0f);
      EXPECT_EQ(t.sin[i], 0.0f);
    }
    const std::vector<float> theta = reference_inverse_frequencies(64, 10000.0);
    for (int64_t p = 0; p < 300; ++p)
      for (int64_t i = 0; i < 32; ++i) {
        const long double angle = static_cast<float>(p) * theta[i];  // the float32 angle, exactly
        EXPECT_LT(ulps_from(t.cos[p * 32 + i], std::cos(angle)), 1.0);
        EXPECT_LT(ulps_from(t.sin[p * 32 + i], std::sin(angle)), 1.0);
      }
  }
  // With rows that are whole vectors the two layouts group the same angles: identical tables.
  const RopeTable a = reference_rope_table(64, 10000.0, 300, RotaryPairing::Interleaved);
  const RopeTable b = reference_rope_table(64, 10000.0, 300, RotaryPairing::RotateHalf);
  EXPECT_EQ(a.cos, b.cos);
  EXPECT_EQ(a.sin, b.sin);
}

}  // namespace
}  // namespace pldr::reference
