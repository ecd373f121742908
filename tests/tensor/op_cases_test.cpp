// The three harnesses over the table of op_cases.h: values, float64 gradients, and every other
// backend against the CPU.
#include <gtest/gtest.h>

#include "../autograd/gradcheck.h"
#include "op_cases.h"
#include "tensor_testing.h"

namespace pldr::testing {
namespace {

// Every element of `actual` within tolerance of `expected` (same shape), naming the first miss.
void expect_matches(const Tensor& actual, const Tensor& expected, Tolerance tol, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const std::vector<double> a = actual.to_vector<double>(), b = expected.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(within(a[i], b[i], tol)) << what << ": element " << i << " is " << a[i] << ", expected " << b[i];
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  ::testing::Test::RecordProperty("max_abs_difference", std::to_string(worst));
}

class OpCases : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpCases, Float32AgreesWithFloat64) {
  const OpCase& c = GetParam();
  const Tensor single = run_case(c, make_inputs(c, DType::Float32));
  const Tensor dbl = run_case(c, make_inputs(c, DType::Float64));
  expect_matches(single, dbl, tolerance(DType::Float32, c.tolerance_scale), c.name);
}

TEST_P(OpCases, StridedViewsGiveTheValuesOfTheirDenseCopies) {
  const OpCase& c = GetParam();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const CaseInputs views = make_inputs(c, dtype);
    CaseInputs dense = views;
    for (Tensor& t : dense.floats) t = t.clone();
    expect_matches(run_case(c, views), run_case(c, dense), tolerance(dtype, c.tolerance_scale), c.name);
  }
}

TEST_P(OpCases, Float32GradientsAgreeWithFloat64) {
  const OpCase& c = GetParam();
  if (!c.differentiable) GTEST_SKIP() << c.name << " has no gradient";
  const std::vector<Tensor> single = case_gradients(c, make_inputs(c, DType::Float32));
  const std::vector<Tensor> dbl = case_gradients(c, make_inputs(c, DType::Float64));
  ASSERT_EQ(single.size(), dbl.size());
  for (size_t k = 0; k < dbl.size(); ++k)
    expect_matches(single[k], dbl[k], tolerance(DType::Float32, c.tolerance_scale),
                   c.name + ", gradient of input " + std::to_string(k));
}

TEST_P(OpCases, GradientsMatchFiniteDifferences) {
  const OpCase& c = GetParam();
  if (!c.differentiable) GTEST_SKIP() << c.name << " has no gradient";
  const CaseInputs in = make_inputs(c, DType::Float64);
  check_gradients({c.name, in.floats, [&](const std::vector<ag::Variable>& v) { return c.fn(v, in.ids); }});
}

TEST_P(OpCases, EveryOtherBackendMatchesTheCpu) {
  const OpCase& c = GetParam();
  int compared = 0;
  for (Device device : {Device::CUDA}) {
    if (!backend_available(device)) continue;
    for (DType dtype : {DType::Float32, DType::Float64}) {
      if (!supports(device, c.op, dtype)) continue;
      const std::string where = c.name + " on " + device_name(device) + " in " + dtype_name(dtype);
      const CaseInputs on_device = make_inputs(c, dtype, device), on_cpu = make_inputs(c, dtype);
      const Tensor result = run_case(c, on_device);
      EXPECT_EQ(result.device(), device) << where;
      expect_matches(result, run_case(c, on_cpu), tolerance(dtype, c.tolerance_scale), where);
      if (c.differentiable) {
        const std::vector<Tensor> device_grads = case_gradients(c, on_device), cpu_grads = case_gradients(c, on_cpu);
        for (size_t k = 0; k < cpu_grads.size(); ++k)
          expect_matches(device_grads[k], cpu_grads[k], tolerance(dtype, c.tolerance_scale),
                         where + ", gradient of input " + std::to_string(k));
      }
      ++compared;
    }
  }
  if (compared == 0)
    GTEST_SKIP() << "no backend other than the CPU supports " << op_name(c.op) << " in this build and machine";
}

// The same inputs widened to float32 (exactly: every bfloat16 is a float32).
CaseInputs widened(const CaseInputs& in) {
  CaseInputs out = in;
  for (Tensor& t : out.floats) t = t.to(DType::Float32);
  return out;
}

TEST_P(OpCases, BFloat16AgreesWithTheFloat32Oracle) {
  const OpCase& c = GetParam();
  const CaseInputs half = make_inputs(c, DType::BFloat16);
  if (!supports(Device::CPU, c.op, DType::BFloat16)) {
    const std::string message = error_message([&] { run_case(c, half); });
    EXPECT_NE(message.find(op_name(c.op)), std::string::npos) << c.name << ": " << message;
    EXPECT_NE(message.find("bfloat16"), std::string::npos) << c.name << ": " << message;
    return;
  }
  const CaseInputs oracle = widened(half);
  const Tensor result = run_case(c, half), expected = run_case(c, oracle);
  if (expected.dtype() == DType::Float32) {
    EXPECT_EQ(result.dtype(), DType::BFloat16) << c.name;
  }
  expect_matches(result, expected, tolerance(DType::BFloat16, c.tolerance_scale), c.name);
  if (!c.differentiable) return;
  const std::vector<Tensor> grads = case_gradients(c, half), oracle_grads = case_gradients(c, oracle);
  ASSERT_EQ(grads.size(), oracle_grads.size());
  for (size_t k = 0; k < grads.size(); ++k) {
    EXPECT_EQ(grads[k].dtype(), DType::BFloat16) << c.name;
    expect_matches(grads[k], oracle_grads[k], tolerance(DType::BFloat16, c.tolerance_scale),
                   c.name + ", gradient of input " + std::to_string(k));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, OpCases, ::testing::ValuesIn(op_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return test_name(info.param.name); });

}  // namespace
}  // namespace pldr::testing
