// The process group's tensor collectives (process_group.h): on CPU tensors of float32, float64 and
// bfloat16 the ring and Gloo give the same bits as their pointer collectives; a non-contiguous
// tensor is refused with an error that names it; a CUDA tensor is staged through host memory
// (run where a GPU is usable, else skipped saying so).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "dist/process_group.h"
#include "tensor/backend.h"
#include "tests/dist/fork_ranks.h"

namespace pldr::dist {
namespace {

using testing::fork_ranks;
using testing::free_port;

constexpr int64_t kCount = 10007;  // not a multiple of the world size: uneven shards

// Rank `rank`'s contribution: values whose sums round (so that the order of the additions shows in
// the bits), in `dtype` on `device`.
Tensor contribution(DType dtype, int rank, Device device = Device::CPU) {
  Tensor t = Tensor::empty({kCount}, DType::Float64);
  double* v = t.data<double>();
  for (int64_t i = 0; i < kCount; ++i) v[i] = std::sin(double(i) * 0.37 + rank) * std::pow(10.0, double(i % 7) - 3);
  return t.to(dtype).to(device);
}

bool same_bits(Tensor a, Tensor b) {
  a = a.to(Device::CPU);
  b = b.to(Device::CPU);
  return a.dtype() == b.dtype() && a.numel() == b.numel() &&
         std::memcmp(tensor_bytes(a), tensor_bytes(b), size_t(a.numel()) * dtype_size(a.dtype())) == 0;
}

// Each collective through the tensor API against the pointer API on a copy of the same values;
// reports what differs.
void compare_with_pointer_path(ProcessGroup& group, DType dtype, Device device, std::string& report) {
  const std::string at = std::string(dtype_name(dtype)) + " on " + device_name(device) + ": ";
  const int rank = group.rank();
  Tensor host = contribution(dtype, rank);  // the pointer path's copy, on the host
  Tensor t = contribution(dtype, rank, device);
  group.all_reduce(tensor_bytes(host), size_t(kCount), dtype);
  group.all_reduce(t);
  if (!same_bits(t, host)) report += at + "all_reduce differs; ";
  if (same_bits(t, contribution(dtype, rank))) report += at + "all_reduce left the tensor as it was; ";

  host = contribution(dtype, rank);
  t = contribution(dtype, rank, device);
  group.broadcast(tensor_bytes(host), size_t(kCount) * dtype_size(dtype), 1);
  group.broadcast(t, 1);
  if (!same_bits(t, host) || !same_bits(t, contribution(dtype, 1))) report += at + "broadcast differs; ";

  // reduce_scatter defines this rank's shard only; all_gather then gives every rank every shard.
  const ShardRange s = shard_range(size_t(kCount), group.world_size(), rank);
  const auto shard = [&](const Tensor& x) { return x.slice(0, int64_t(s.begin), int64_t(s.end)); };
  host = contribution(dtype, rank);
  t = contribution(dtype, rank, device);
  group.reduce_scatter(tensor_bytes(host), size_t(kCount), dtype);
  group.reduce_scatter(t);
  if (!same_bits(shard(t), shard(host))) report += at + "reduce_scatter differs; ";
  group.all_gather(tensor_bytes(host), size_t(kCount), dtype);
  group.all_gather(t);
  if (!same_bits(t, host)) report += at + "all_gather differs; ";
}

// Runs the comparison on `world` ranks of `engine`, for each dtype, on `device`; "no device" from
// a rank that cannot use it. CUDA is first touched in the ranks' processes, after the fork.
void expect_same_bits_as_pointers(const std::string& engine, int world, Device device) {
  const auto result = fork_ranks(std::vector<int>(size_t(world), world), free_port(), Milliseconds(20000),
                                 [&](const Rendezvous& rv, std::string& report) {
                                   if (!backend_available(device)) {
                                     report = "no device";
                                     return;
                                   }
                                   const auto group = connect(rv, engine);
                                   for (const DType dtype : {DType::Float32, DType::Float64, DType::BFloat16})
                                     compare_with_pointer_path(*group, dtype, device, report);
                                   if (report.empty()) report = "ok";
                                 });
  if (result.ranks[0].report == "no device")
    GTEST_SKIP() << "no usable CUDA backend here: the staging path is unverified";
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 0) << engine << ", " << world << " ranks: " << r.report;
    EXPECT_EQ(r.report, "ok") << engine << ", " << world << " ranks";
  }
}

TEST(TensorCollectives, RingGivesThePointerPathsBits) {
  for (const int world : {2, 3}) expect_same_bits_as_pointers("ring", world, Device::CPU);
}

TEST(TensorCollectives, GlooGivesThePointerPathsBits) {
  if (!engine_available("gloo")) GTEST_SKIP() << "this build has no Gloo (libgloo-dev)";
  for (const int world : {2, 3}) expect_same_bits_as_pointers("gloo", world, Device::CPU);
}

TEST(TensorCollectives, RingStagesCudaTensorsThroughTheHost) { expect_same_bits_as_pointers("ring", 2, Device::CUDA); }

TEST(TensorCollectives, GlooStagesCudaTensorsThroughTheHost) {
  if (!engine_available("gloo")) GTEST_SKIP() << "this build has no Gloo (libgloo-dev)";
  expect_same_bits_as_pointers("gloo", 2, Device::CUDA);
}

// The refusal names the collective, the layout and the way out, on every rank before any byte
// moves (so the ranks stay in step), and in a single process.
TEST(TensorCollectives, NonContiguousTensorIsRefused) {
  const auto refusal = [](ProcessGroup& group) {
    Tensor t = Tensor::empty({4, 6}, DType::Float32).transpose(0, 1);
    try {
      group.all_reduce(t);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string expected =
      "all_reduce: the tensor (shape [6,4], strides [1,6]) is not contiguous; pass t.contiguous() and copy the result "
      "back";
  EXPECT_EQ(refusal(*single_process_group()), expected);
  const auto result =
      fork_ranks({2, 2}, free_port(), Milliseconds(10000), [&](const Rendezvous& rv, std::string& report) {
        const auto group = connect(rv, "ring");
        report = refusal(*group);
        group->barrier();  // still in step after the refusal
      });
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 0) << r.report;
    EXPECT_EQ(r.report, expected);
  }
  Tensor undefined;
  EXPECT_THROW(single_process_group()->broadcast(undefined, 0), std::invalid_argument);
}

// Host vectors go through the tensor collectives without a copy of their own.
TEST(TensorCollectives, HostVectorsAreSummed) {
  const auto result =
      fork_ranks({3, 3, 3}, free_port(), Milliseconds(10000), [](const Rendezvous& rv, std::string& report) {
        const auto group = connect(rv, "ring");
        std::vector<double> d{1.5 * rv.rank, 2.0};
        std::vector<float> f{float(rv.rank), 0.25f};
        group->all_reduce(std::span<double>(d));
        group->all_reduce(std::span<float>(f));
        if (d != std::vector<double>{4.5, 6.0} || f != std::vector<float>{3.0f, 0.75f}) report = "wrong sums";
      });
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 0) << r.report;
    EXPECT_EQ(r.report, "");
  }
}

}  // namespace
}  // namespace pldr::dist
