// Creation functions and the counter-based generator.
#include <gtest/gtest.h>

#include <cmath>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace pldr {
namespace {

TEST(Creation, ConstantsRangesAndHostData) {
  EXPECT_EQ(zeros({2, 2}).to_vector<float>(), std::vector<float>(4, 0));
  EXPECT_EQ(ones({3}, DType::Int32).to_vector<int32_t>(), std::vector<int32_t>(3, 1));
  EXPECT_EQ(full({2}, 2.5, DType::Float64).to_vector<double>(), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(arange(3, 6).to_vector<int32_t>(), (std::vector<int32_t>{3, 4, 5}));
  EXPECT_EQ(scalar(4.0).shape(), Shape{});
  EXPECT_EQ(scalar(4.0).item(), 4.0);
  EXPECT_THROW(from_vector(std::vector<double>{1, 2, 3}, {2, 2}), std::invalid_argument);
}

TEST(Generator, ReproducibleBySeedAndOffset) {
  Generator a(42), b(42), c(43);
  const std::vector<double> x = a.normal({100}, 0, 1, DType::Float64).to_vector<double>();
  EXPECT_EQ(x, b.normal({100}, 0, 1, DType::Float64).to_vector<double>());
  EXPECT_NE(x, c.normal({100}, 0, 1, DType::Float64).to_vector<double>());
  Generator whole(7), parts(7);
  const std::vector<double> twenty = whole.uniform({20}, 0, 1, DType::Float64).to_vector<double>();
  std::vector<double> ten_ten = parts.uniform({10}, 0, 1, DType::Float64).to_vector<double>();
  const std::vector<double> rest = parts.uniform({10}, 0, 1, DType::Float64).to_vector<double>();
  ten_ten.insert(ten_ten.end(), rest.begin(), rest.end());
  EXPECT_EQ(twenty, ten_ten);
  EXPECT_EQ(parts.offset(), 20u);
  Generator resumed(7, 10);  // a checkpoint's (seed, offset) continues the stream
  EXPECT_EQ(resumed.uniform({10}, 0, 1, DType::Float64).to_vector<double>(), rest);
}

TEST(Generator, IndependentOfThreadCount) {
#ifdef _OPENMP
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<double> one = Generator(5).normal({200000}, 0, 1, DType::Float64).to_vector<double>();
  omp_set_num_threads(2);
  const std::vector<double> two = Generator(5).normal({200000}, 0, 1, DType::Float64).to_vector<double>();
  omp_set_num_threads(before);
  EXPECT_EQ(one, two);
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

TEST(Generator, MomentsAndRanges) {
  const std::vector<double> x = Generator(1).normal({100000}, 0, 1, DType::Float64).to_vector<double>();
  double mean = 0, sq = 0;
  for (double v : x) mean += v, sq += v * v;
  mean /= x.size();
  EXPECT_NEAR(mean, 0, 0.02);
  EXPECT_NEAR(std::sqrt(sq / x.size() - mean * mean), 1, 0.02);
  for (double v : Generator(2).uniform({10000}, -3, 5, DType::Float64).to_vector<double>()) {
    EXPECT_GE(v, -3);
    EXPECT_LT(v, 5);
  }
}

TEST(Backend, CudaIsReportedUnsupported) {
  EXPECT_TRUE(supports(Device::CPU, "matmul", DType::Float32));
  EXPECT_FALSE(supports(Device::CUDA, "matmul", DType::Float32));
  EXPECT_FALSE(supports(Device::CPU, "matmul", DType::Int32));
  EXPECT_THROW(require_support(Device::CUDA, "matmul", DType::Float32), std::invalid_argument);
  EXPECT_THROW(Tensor::empty({2}, DType::Float32, Device::CUDA), std::runtime_error);
}

}  // namespace
}  // namespace pldr
