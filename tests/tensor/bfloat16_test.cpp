// The bfloat16 dtype: rounding (nearest, ties to even; NaN kept; overflow to infinity), the
// conversions and views of bfloat16 tensors, and what the CPU backend supports for it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::testing {
namespace {

float from_bits32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

TEST(BFloat16, RoundsFloatToNearestWithTiesToEven) {
  EXPECT_EQ(BFloat16(1.0f).bits, 0x3f80);
  EXPECT_EQ(BFloat16(from_bits32(0x3f808000)).bits, 0x3f80);  // tie, even below: down
  EXPECT_EQ(BFloat16(from_bits32(0x3f818000)).bits, 0x3f82);  // tie, odd below: up
  EXPECT_EQ(BFloat16(from_bits32(0x3f808001)).bits, 0x3f81);  // above the tie: up
  EXPECT_EQ(BFloat16(from_bits32(0x3f807fff)).bits, 0x3f80);  // below the tie: down
  EXPECT_EQ(BFloat16(from_bits32(0xbf818000)).bits, 0xbf82);  // negative, symmetric
  EXPECT_EQ(float(BFloat16(3.140625f)), 3.140625f);           // exactly representable
}

TEST(BFloat16, KeepsNaNAndInfinitiesAndOverflowsToInfinity) {
  EXPECT_TRUE(std::isnan(float(BFloat16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(float(BFloat16(from_bits32(0x7f800001)))));  // a NaN whose payload rounding would make inf
  EXPECT_TRUE(std::signbit(float(BFloat16(from_bits32(0xff800001)))));
  EXPECT_EQ(float(BFloat16(std::numeric_limits<float>::infinity())), std::numeric_limits<float>::infinity());
  EXPECT_EQ(float(BFloat16(std::numeric_limits<float>::max())), std::numeric_limits<float>::infinity());
  EXPECT_EQ(float(BFloat16(-std::numeric_limits<double>::max())), -std::numeric_limits<float>::infinity());
}

TEST(BFloat16, RoundsDoubleOnceNotTwice) {
  // 1 + 2^-8 + 2^-30: just above the bfloat16 tie between 1 and 1 + 2^-7. Through float it would
  // first round to the tie 1 + 2^-8 and then to even (1); rounded directly it goes up.
  const double d = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30);
  EXPECT_EQ(float(BFloat16(d)), 1.0f + std::ldexp(1.0f, -7));
  EXPECT_EQ(float(BFloat16(1.0 + std::ldexp(1.0, -8))), 1.0f);                // the exact tie: to even
  EXPECT_EQ(float(BFloat16(int32_t(257))), 256.0f);                           // integers: 257 is a tie, to even
  EXPECT_EQ(float(BFloat16(std::ldexp(1.0, -130))), std::ldexp(1.0f, -130));  // a bfloat16 subnormal
  EXPECT_EQ(float(BFloat16(std::ldexp(1.0, -140))), 0.0f);                    // under half the smallest
}

TEST(BFloat16, TensorsConvertCreateAndViewWithTwoBytesAnElement) {
  EXPECT_EQ(dtype_size(DType::BFloat16), 2u);
  EXPECT_EQ(dtype_from_name("bfloat16"), DType::BFloat16);
  EXPECT_EQ(dtype_from_name("bf16"), DType::BFloat16);
  const Tensor t =
      from_vector(std::vector<double>{1.0, 1.0 + 1.0 / 512, -2.5, 1e-3, 65504, 3.0}, {2, 3}, DType::BFloat16);
  EXPECT_EQ(t.dtype(), DType::BFloat16);
  const std::vector<double> v = t.to_vector<double>();
  EXPECT_EQ(v[0], 1.0);
  EXPECT_EQ(v[1], 1.0);  // below bfloat16 resolution at 1
  EXPECT_EQ(v[2], -2.5);
  EXPECT_NEAR(v[3], 1e-3, 1e-3 / 256);
  EXPECT_EQ(v[4], 65536.0);             // 65504 rounds to 2^16 with 8 significant bits
  const Tensor tr = t.transpose(0, 1);  // a strided view
  EXPECT_EQ(at(tr, {2, 0}), v[2]);
  EXPECT_EQ(at(tr, {0, 1}), v[3]);
  EXPECT_EQ(tr.contiguous().to_vector<double>(), (std::vector<double>{v[0], v[3], v[1], v[4], v[2], v[5]}));
  EXPECT_EQ(full({2}, 0.1, DType::BFloat16).to_vector<float>(),
            (std::vector<float>{float(BFloat16(0.1)), float(BFloat16(0.1))}));
  EXPECT_EQ(arange(0, 4, DType::BFloat16).to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(scalar(-0.75, DType::BFloat16).item(), -0.75);
  EXPECT_EQ(t.to(DType::Float32).to(DType::BFloat16).to_vector<double>(), v);  // float32 round trip is exact
}

TEST(BFloat16, SupportsSaysWhereTheCpuHasAKernel) {
  for (Op op : {Op::Copy, Op::Fill, Op::Add, Op::Equal, Op::Exp, Op::Clamp, Op::Sum, Op::Max, Op::Matmul, Op::Softmax,
                Op::LayerNorm, Op::CrossEntropy, Op::CrossEntropyBack, Op::Embedding, Op::Rotary})
    EXPECT_TRUE(supports(Device::CPU, op, DType::BFloat16)) << op_name(op);
  for (Op op : {Op::Expm, Op::ExpmFrechet, Op::LogTraceExpm, Op::AdamW})
    EXPECT_FALSE(supports(Device::CPU, op, DType::BFloat16)) << op_name(op);
  const std::string message = error_message([] { ops::expm(zeros({2, 2}, DType::BFloat16)); });
  EXPECT_NE(message.find("expm"), std::string::npos) << message;
  EXPECT_NE(message.find("bfloat16"), std::string::npos) << message;
}

TEST(BFloat16, SumsAccumulateInFloat32) {
  // A bfloat16 running sum of ones stops at 256 (256 + 1 rounds back to 256); 1000 is exact in
  // bfloat16, so a float32 accumulator rounded once at the end gives it.
  const int64_t k = 1000;
  EXPECT_EQ(ops::matmul(ones({1, k}, DType::BFloat16), ones({k, 1}, DType::BFloat16)).item(), 1000.0);
  EXPECT_EQ(ops::sum(ones({k}, DType::BFloat16)).item(), 1000.0);
  EXPECT_EQ(ops::sum(ones({k, 3}, DType::BFloat16), {0}).to_vector<double>(), (std::vector<double>{1000, 1000, 1000}));
}

TEST(BFloat16, DecodeRowsTimesATransposedWeightMatchTheFloat32Product) {
  // A Linear layer's x Wᵀ with one or a few rows: the kernel that reads the bfloat16 weight
  // directly (tensor/cpu/matmul_bf16.cpp), against the float32 product of the same values
  // rounded once; the sums may differ in order, so within one bfloat16 step (2^-8 relative).
  Generator gen(5);
  for (int64_t rows : {1, 3, 8, 9}) {
    const Tensor x = gen.uniform({1, rows, 300}, -1, 1, DType::BFloat16),
                 w = gen.uniform({70, 300}, -1, 1, DType::BFloat16);
    const Tensor y = ops::matmul(x, w.transpose(0, 1));
    ASSERT_EQ(y.dtype(), DType::BFloat16);
    ASSERT_EQ(y.shape(), (Shape{1, rows, 70}));
    const std::vector<double> expected =
        ops::matmul(x.to(DType::Float32), w.to(DType::Float32).transpose(0, 1)).to_vector<double>();
    const std::vector<double> got = y.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], expected[i], std::abs(expected[i]) / 256 + 1e-6) << rows << " rows, " << i;
  }
}

}  // namespace
}  // namespace pldr::testing
