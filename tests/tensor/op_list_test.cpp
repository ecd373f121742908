// The op list (tensor/op_list.h) against what is built from it and tested: every op has a name,
// runs on the CPU in float32 and float64, is dispatched by some case of the op-case table
// (op_cases.h), and is counted once per dispatch.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "op_cases.h"

namespace pldr::testing {
namespace {

std::vector<Op> every_op() {
  std::vector<Op> ops;
  for (int i = 0; i < kOpCount; ++i) ops.push_back(static_cast<Op>(i));
  return ops;
}

TEST(OpList, EveryOpHasItsOwnName) {
  std::set<std::string> names;
  for (Op op : every_op()) {
    const std::string name = op_name(op);
    EXPECT_NE(name, "?");
    EXPECT_TRUE(names.insert(name).second) << "two ops are called " << name;
  }
  EXPECT_STREQ(op_name(op_of(BinaryOp::SiluBack)), "silu_back");
  EXPECT_STREQ(op_name(op_of(UnaryOp::Clamp)), "clamp");
  EXPECT_STREQ(op_name(op_of(ReduceOp::Max)), "max");
}

TEST(OpList, TheCpuRunsEveryOpInFloat32AndFloat64) {
  for (Op op : every_op()) {
    EXPECT_TRUE(supports(Device::CPU, op, DType::Float32)) << op_name(op);
    EXPECT_TRUE(supports(Device::CPU, op, DType::Float64)) << op_name(op);
  }
  const Backend& cpu = backend(Device::CPU);
#define PLDR_EXPECT_KERNEL(kernel, parameters) EXPECT_NE(cpu.kernel, nullptr) << #kernel;
  PLDR_KERNELS(PLDR_EXPECT_KERNEL)
#undef PLDR_EXPECT_KERNEL
}

TEST(OpList, EveryOpHasACaseInTheOpCaseTable) {
  std::set<Op> dispatched;
  for (const OpCase& c : op_cases()) {
    reset_runtime_counts();
    const CaseInputs in = make_inputs(c, DType::Float64);
    run_case(c, in);
    if (c.differentiable) case_gradients(c, in);
    for (Op op : every_op())
      if (dispatch_count(op) > 0) dispatched.insert(op);
  }
  std::string missing;
  for (Op op : every_op())
    if (!dispatched.count(op)) missing += std::string(" ") + op_name(op);
  EXPECT_TRUE(missing.empty()) << "ops of tensor/op_list.h that no case of tests/tensor/op_cases.h runs:" << missing;
}

TEST(OpList, EachDispatchAllocationAndHostReadIsCountedOnce) {
  const Tensor a = ones({2, 3}), b = ones({3, 4});
  reset_runtime_counts();
  ops::matmul(a, b);
  const Tensor c = ops::matmul(a, b);
  ops::softmax(a);
  EXPECT_EQ(dispatch_count(Op::Matmul), 2u);
  EXPECT_EQ(dispatch_count(Op::Softmax), 1u);
  EXPECT_EQ(dispatch_count(Op::LogSoftmax), 0u);
  RuntimeCounts n = runtime_counts();
  EXPECT_EQ(n.dispatches, 3u);
  EXPECT_EQ(n.allocations, 3u);  // one output each
  EXPECT_EQ(n.host_reads, 0u);
  EXPECT_EQ(ops::sum(c).item(), 24.0);
  EXPECT_EQ(runtime_counts().host_reads, 1u);
  reset_runtime_counts();
  n = runtime_counts();
  EXPECT_EQ(dispatch_count(Op::Matmul), 0u);
  EXPECT_EQ(n.dispatches + n.allocations + n.host_reads, 0u);
}

}  // namespace
}  // namespace pldr::testing
