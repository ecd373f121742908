// Creation functions and the counter-based (Philox-4x32-10) generator: reproducibility, stream
// continuation, thread-count independence, moments.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr {
namespace {

using testing::contains;
using testing::error_message;
using testing::values;

class EveryDtype : public ::testing::TestWithParam<DType> {};

TEST_P(EveryDtype, ZerosOnesFull) {
  const DType dt = GetParam();
  const Tensor z = zeros({2, 3}, dt);
  EXPECT_EQ(z.dtype(), dt);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(values(z), std::vector<double>(6, 0));
  EXPECT_EQ(values(ones({4}, dt)), std::vector<double>(4, 1));
  EXPECT_EQ(values(full({2, 2}, 3, dt)), std::vector<double>(4, 3));
  EXPECT_EQ(values(full({}, -7, dt)), std::vector<double>{-7});
  EXPECT_EQ(zeros({0, 5}, dt).numel(), 0);
}

TEST_P(EveryDtype, ArangeAndScalar) {
  const DType dt = GetParam();
  const Tensor r = arange(-2, 3, dt);
  EXPECT_EQ(r.dtype(), dt);
  EXPECT_EQ(r.shape(), Shape{5});
  EXPECT_EQ(values(r), (std::vector<double>{-2, -1, 0, 1, 2}));
  EXPECT_EQ(arange(4, 4, dt).numel(), 0);
  EXPECT_THROW(arange(3, 1, dt), std::invalid_argument);
  const Tensor s = scalar(6, dt);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 6);
}

TEST_P(EveryDtype, FromVectorConverts) {
  const DType dt = GetParam();
  const Tensor t = from_vector(std::vector<double>{1, -2, 3, 4, 5, 6}, {3, 2}, dt);
  EXPECT_EQ(t.dtype(), dt);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(values(t), (std::vector<double>{1, -2, 3, 4, 5, 6}));
  EXPECT_EQ(values(from_vector(std::vector<int32_t>{9, 8}, {2}, dt)), (std::vector<double>{9, 8}));
  EXPECT_EQ(values(from_vector(std::vector<float>{0.5f}, {}, dt)), std::vector<double>{dt == DType::Int32 ? 0.0 : 0.5});
  const std::string msg = error_message([&] { from_vector(std::vector<double>{1, 2, 3}, {2, 2}, dt); });
  EXPECT_TRUE(contains(msg, "[2,2]")) << msg;
}

INSTANTIATE_TEST_SUITE_P(tensor_creation, EveryDtype, ::testing::Values(DType::Float32, DType::Float64, DType::Int32),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(tensor_Creation, DefaultDtypes) {
  EXPECT_EQ(zeros({1}).dtype(), DType::Float32);
  EXPECT_EQ(arange(0, 2).dtype(), DType::Int32);
  EXPECT_EQ(scalar(1).dtype(), DType::Float32);
  EXPECT_EQ(from_vector(std::vector<double>{1}, {1}).dtype(), DType::Float64);
  EXPECT_EQ(from_vector(std::vector<int32_t>{1}, {1}).dtype(), DType::Int32);
}

// ---- Philox ----

TEST(tensor_Philox, MatchesTheRandom123KnownAnswer) {
  // Random123 kat_vectors: philox4x32 10, counter 0, key 0.
  const PhiloxBlock b = philox4x32(0, 0);
  EXPECT_EQ(b.w[0], 0x6627e8d5u);
  EXPECT_EQ(b.w[1], 0xe169c58du);
  EXPECT_EQ(b.w[2], 0xbc57ac4cu);
  EXPECT_EQ(b.w[3], 0x9b00dbd8u);
  const PhiloxBlock other = philox4x32(0, 1);
  EXPECT_NE(b.w[0], other.w[0]);
  EXPECT_NE(philox4x32(1, 0).w[0], b.w[0]);
}

// ---- the generator ----

std::vector<double> normals(uint64_t seed, int64_t n, DType dt = DType::Float64) {
  Generator g(seed);
  return values(g.normal({n}, 0, 1, dt));
}

TEST(tensor_Generator, ReproducibleForASeedDifferentForAnother) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const std::vector<double> x = normals(42, 1000, dt);
    EXPECT_EQ(x, normals(42, 1000, dt));
    const std::vector<double> y = normals(43, 1000, dt);
    int equal = 0;
    for (size_t i = 0; i < x.size(); ++i) equal += x[i] == y[i];
    EXPECT_EQ(equal, 0);
    Generator u1(42), u2(42), u3(43);
    const std::vector<double> a = values(u1.uniform({500}, -1, 1, dt));
    EXPECT_EQ(a, values(u2.uniform({500}, -1, 1, dt)));
    EXPECT_NE(a, values(u3.uniform({500}, -1, 1, dt)));
  }
  // Float32 draws are the float64 draws rounded.
  Generator g64(5), g32(5);
  const std::vector<double> d = values(g64.normal({100}, 2, 3, DType::Float64));
  const std::vector<float> f = g32.normal({100}, 2, 3, DType::Float32).to_vector<float>();
  for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(f[i], static_cast<float>(d[i]));
}

TEST(tensor_Generator, ShapesAndDtypes) {
  Generator g(1);
  const Tensor n = g.normal({2, 3, 4}, 0, 1, DType::Float32);
  EXPECT_EQ(n.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(n.dtype(), DType::Float32);
  EXPECT_EQ(g.offset(), 24u);
  EXPECT_EQ(g.uniform({}, 0, 1, DType::Float64).numel(), 1);
  EXPECT_EQ(g.offset(), 25u);
  EXPECT_EQ(g.seed(), 1u);
}

TEST(tensor_Generator, OffsetContinuesTheStream) {
  Generator whole(7), parts(7);
  const std::vector<double> twenty = values(whole.uniform({20}, 0, 1, DType::Float64));
  std::vector<double> ten_ten = values(parts.uniform({10}, 0, 1, DType::Float64));
  EXPECT_EQ(parts.offset(), 10u);
  const std::vector<double> rest = values(parts.uniform({10}, 0, 1, DType::Float64));
  ten_ten.insert(ten_ten.end(), rest.begin(), rest.end());
  EXPECT_EQ(twenty, ten_ten);
  EXPECT_EQ(parts.offset(), 20u);
  EXPECT_EQ(whole.offset(), 20u);
  Generator resumed(7, 10);  // a checkpoint's (seed, offset) resumes the stream exactly
  EXPECT_EQ(values(resumed.uniform({10}, 0, 1, DType::Float64)), rest);
  // Same for normals, in a [2, 5] + [10] split.
  Generator n_whole(9), n_parts(9);
  const std::vector<double> nw = values(n_whole.normal({20}, 0, 1, DType::Float64));
  std::vector<double> np = values(n_parts.normal({2, 5}, 0, 1, DType::Float64));
  const std::vector<double> np2 = values(n_parts.normal({10}, 0, 1, DType::Float64));
  np.insert(np.end(), np2.begin(), np2.end());
  EXPECT_EQ(nw, np);
  // next_u64 takes one counter.
  Generator raw(3);
  const uint64_t first = raw.next_u64();
  EXPECT_EQ(raw.offset(), 1u);
  const PhiloxBlock b = philox4x32(3, 0);
  EXPECT_EQ(first, (uint64_t(b.w[0]) << 32) | b.w[1]);
  EXPECT_NE(raw.next_u64(), first);
}

TEST(tensor_Generator, IndependentOfThreadCount) {
#ifdef _OPENMP
  const int before = omp_get_max_threads();
  const int64_t n = 200000;  // above the generator's parallel threshold
  omp_set_num_threads(1);
  Generator g1(5);
  const Tensor n1 = g1.normal({n}, 0, 1, DType::Float64), u1 = g1.uniform({n}, 0, 1, DType::Float32);
  omp_set_num_threads(2);
  Generator g2(5);
  const Tensor n2 = g2.normal({n}, 0, 1, DType::Float64), u2 = g2.uniform({n}, 0, 1, DType::Float32);
  omp_set_num_threads(before);
  // Bitwise comparison.
  EXPECT_EQ(0, std::memcmp(n1.data<double>(), n2.data<double>(), sizeof(double) * n));
  EXPECT_EQ(0, std::memcmp(u1.data<float>(), u2.data<float>(), sizeof(float) * n));
  EXPECT_EQ(g1.offset(), g2.offset());
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

TEST(tensor_Generator, NormalMoments) {
  Generator g(1);
  const std::vector<double> x = values(g.normal({100000}, 0, 1, DType::Float64));
  double mean = 0, sq = 0;
  for (double v : x) mean += v;
  mean /= double(x.size());
  for (double v : x) sq += (v - mean) * (v - mean);
  const double sd = std::sqrt(sq / double(x.size()));
  // Standard errors: 1/sqrt(1e5) = 0.003 for the mean, 0.0022 for the sd.
  EXPECT_NEAR(mean, 0, 0.015);
  EXPECT_NEAR(sd, 1, 0.015);
  int beyond_2sd = 0;
  for (double v : x) beyond_2sd += std::abs(v) > 2;
  EXPECT_NEAR(beyond_2sd / 1e5, 0.0455, 0.004);
  // mean and stddev parameters scale and shift.
  Generator h(2);
  const std::vector<double> y = values(h.normal({50000}, 10, 0.5, DType::Float64));
  double my = 0;
  for (double v : y) my += v;
  EXPECT_NEAR(my / double(y.size()), 10, 0.02);
}

TEST(tensor_Generator, UniformRangeAndMean) {
  Generator g(2);
  const std::vector<double> x = values(g.uniform({100000}, -3, 5, DType::Float64));
  double mean = 0;
  std::set<double> distinct;
  for (double v : x) {
    ASSERT_GE(v, -3);
    ASSERT_LT(v, 5);
    mean += v;
    distinct.insert(v);
  }
  EXPECT_NEAR(mean / double(x.size()), 1, 0.05);  // sd of the mean: 8/sqrt(12e5) = 0.0073
  EXPECT_GT(distinct.size(), 99990u);
}

TEST(tensor_Backend, CpuFloatsSupportedEverythingElseRefused) {
  EXPECT_TRUE(supports(Device::CPU, Op::Matmul, DType::Float32));
  EXPECT_TRUE(supports(Device::CPU, Op::Matmul, DType::Float64));
  EXPECT_FALSE(supports(Device::CPU, Op::Matmul, DType::Int32));
  EXPECT_TRUE(supports(Device::CPU, Op::Copy, DType::Int32));
  const std::string msg = error_message([] { require_support(Device::CPU, Op::Softmax, DType::Int32); });
  EXPECT_TRUE(contains(msg, "softmax")) << msg;
  EXPECT_TRUE(contains(msg, "int32")) << msg;
  EXPECT_EQ(&backend(Device::CPU), &cpu_backend());
  EXPECT_EQ(backend(Device::CPU).device, Device::CPU);
}

TEST(tensor_Backend, CudaRefusedClearlyWhenAbsent) {
  if (backend_available(Device::CUDA)) GTEST_SKIP() << "this build and machine have a CUDA backend";
  EXPECT_FALSE(supports(Device::CUDA, Op::Matmul, DType::Float32));
  // "this build has no CUDA backend" or "no CUDA device", depending on the build.
  const std::string msg = error_message([] { require_support(Device::CUDA, Op::Matmul, DType::Float32); });
  EXPECT_TRUE(contains(msg, "CUDA")) << msg;
  EXPECT_THROW(Tensor::empty({2}, DType::Float32, Device::CUDA), std::runtime_error);
  EXPECT_THROW(Tensor::empty({2}, DType::Float32).to(Device::CUDA), std::runtime_error);
}

}  // namespace
}  // namespace pldr
