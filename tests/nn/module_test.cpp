#include <gtest/gtest.h>

#include "nn/layers.h"
#include "tensor/creation.h"

namespace pldr {
namespace {

TEST(Module, NamesFollowTheTreeAndCountParameters) {
  nn::GatedLinearUnit glu(4, 6, true, DType::Float64);
  const auto named = glu.named_parameters();
  ASSERT_EQ(named.size(), 6u);
  EXPECT_EQ(named[0].first, "gluw1.weight");
  EXPECT_EQ(named[1].first, "gluw1.bias");
  EXPECT_EQ(named[5].first, "gluw3.bias");
  EXPECT_EQ(glu.parameter_count(), 4 * 6 + 6 + 4 * 6 + 6 + 6 * 4 + 4);
}

TEST(Module, ToConvertsParametersInPlace) {
  nn::Linear lin(3, 2, true, DType::Float64);
  ag::Variable w = lin.weight;
  lin.to(DType::Float32);
  EXPECT_EQ(w.dtype(), DType::Float32);  // the same Variable, converted
  EXPECT_EQ(lin.weight.dtype(), DType::Float32);
}

TEST(Module, ToDeviceMovesParametersAndGradientsInPlace) {
  nn::Linear lin(3, 2, true, DType::Float64);
  ag::Variable w = lin.weight;
  const std::vector<double> before = w.value().to_vector<double>();
  w.set_grad(from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}));
  lin.to(Device::CPU);  // the only device of this build: values and identities unchanged
  EXPECT_EQ(lin.weight.value().device(), Device::CPU);
  EXPECT_EQ(w.value().to_vector<double>(), before);
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(Linear, ComputesXWTransposePlusBias) {
  nn::Linear lin(2, 2, true, DType::Float64);
  lin.weight.mutable_value() = from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2});
  lin.bias.mutable_value() = from_vector(std::vector<double>{10, 20}, {2});
  ag::Variable x(from_vector(std::vector<double>{1, 1}, {1, 2}));
  EXPECT_EQ(lin.forward(x).value().to_vector<double>(), (std::vector<double>{13, 27}));
}

}  // namespace
}  // namespace pldr
