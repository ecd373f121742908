// Moving a model between devices: the CPU path of Module::to(Device) and PldrModel::to(Device),
// and, on a machine without a usable GPU, the error that names why CUDA cannot be used.
#include <gtest/gtest.h>

#include "tensor/backend.h"
#include "tests/pldr/tiny_model.h"

namespace pldr {
namespace {

std::vector<std::vector<double>> values_of(const nn::Module& m) {
  std::vector<std::vector<double>> v;
  for (const ag::Variable& p : m.parameters()) v.push_back(p.value().to_vector<double>());
  return v;
}

std::string cuda_unavailable_reason() {
  try {
    backend(Device::CUDA);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelDevice, ToTheCpuKeepsEveryValueAndTheVariables) {
  auto model = testing::tiny_model(7, GType::Random);
  const auto before = values_of(*model);
  const std::vector<double> g0 = model->predefined_G[0].to_vector<double>();
  const ag::Variable first = model->parameters().front();
  const Tensor ids = testing::ids({3, 5, 7, 9});
  const std::vector<double> logits = model->forward(ids).logits.value().to_vector<double>();

  model->to(Device::CPU);
  EXPECT_EQ(model->device(), Device::CPU);
  EXPECT_EQ(values_of(*model), before);
  EXPECT_EQ(model->predefined_G[0].to_vector<double>(), g0);
  EXPECT_EQ(model->parameters().front().value().data<double>(), first.value().data<double>());  // no copy was made
  EXPECT_EQ(model->forward(ids).logits.value().to_vector<double>(), logits);
  // Module::to(Device) of a plain module, gradients included.
  nn::Linear layer(3, 2, true, DType::Float64);
  layer.weight.set_grad(ones({2, 3}, DType::Float64));
  layer.to(Device::CPU);
  EXPECT_EQ(layer.weight.value().device(), Device::CPU);
  EXPECT_EQ(layer.weight.grad().to_vector<double>(), std::vector<double>(6, 1.0));
}

TEST(ModelDevice, InitializeOnAnyDeviceDrawsTheCpuNumbers) {
  // initialize() draws on the host and copies: a model moved first gets the same values.
  PldrModel moved(testing::tiny_config(), DType::Float64);
  moved.to(Device::CPU);
  moved.initialize(7);
  EXPECT_EQ(values_of(moved), values_of(*testing::tiny_model(7)));
  EXPECT_EQ(moved.device(), Device::CPU);
}

TEST(ModelDevice, CudaWithoutAGpuFailsNamingTheReason) {
  const std::string reason = cuda_unavailable_reason();
  if (reason.empty()) GTEST_SKIP() << "a CUDA device is usable here: tests/train/model_cuda_test covers it";
#ifdef PLDR_CUDA
  EXPECT_NE(reason.find("no CUDA device"), std::string::npos) << reason;
#else
  EXPECT_NE(reason.find("this build has no CUDA backend"), std::string::npos) << reason;
#endif
  auto model = testing::tiny_model(7);
  const auto before = values_of(*model);
  try {
    model->to(Device::CUDA);
    FAIL() << "to(CUDA) did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), reason);
  }
  // The first parameter failed to move, so nothing moved and the model still runs on the CPU.
  EXPECT_EQ(model->device(), Device::CPU);
  EXPECT_EQ(values_of(*model), before);
  EXPECT_NO_THROW(model->forward(testing::ids({3, 5})));
  EXPECT_FALSE(backend_available(Device::CUDA));
  EXPECT_THROW(zeros({2}, DType::Float32, Device::CUDA), std::runtime_error);
}

TEST(ModelDevice, DeviceNamesParse) {
  EXPECT_EQ(device_from_name("cpu"), Device::CPU);
  EXPECT_EQ(device_from_name("cuda"), Device::CUDA);
  EXPECT_THROW(device_from_name("gpu"), std::invalid_argument);
}

}  // namespace
}  // namespace pldr
