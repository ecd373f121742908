// The NCCL engine (UNVERIFIED where there is no GPU: the test then skips, saying so). With one
// CUDA device it runs world size 1 on it; with two or more, two ranks.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "dist/nccl_group.h"
#include "tensor/backend.h"
#include "tests/dist/fork_ranks.h"

namespace pldr::dist {
namespace {

using testing::fork_ranks;
using testing::free_port;

// Runs in each rank's process (CUDA is first touched after the fork): every rank contributes
// rank + 1 per element; reports "no device", or what went wrong.
void sum_on_device(const Rendezvous& rv, std::string& report) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices < rv.world_size) {
    report = "no device";
    return;
  }
  NcclGroup group(rv);
  const size_t count = 1 << 20;
  std::vector<float> host(count, float(rv.rank + 1));
  float* device = nullptr;
  cudaMalloc(&device, count * sizeof(float));
  cudaMemcpy(device, host.data(), count * sizeof(float), cudaMemcpyHostToDevice);
  group.all_reduce(device, count, DType::Float32);
  group.barrier();
  cudaMemcpy(host.data(), device, count * sizeof(float), cudaMemcpyDeviceToHost);
  cudaFree(device);
  const float expected = float(rv.world_size * (rv.world_size + 1) / 2);
  for (float v : host)
    if (v != expected) {
      report = "wrong sum " + std::to_string(v);
      return;
    }
  report = "ok";
}

TEST(NcclGroup, SumsDeviceMemory) {
  for (const int world : {1, 2}) {
    const auto result =
        fork_ranks(std::vector<int>(size_t(world), world), free_port(), Milliseconds(60000), sum_on_device);
    if (result.ranks[0].report == "no device") {
      if (world == 1) GTEST_SKIP() << "no CUDA device here: the NCCL engine is built but unverified";
      continue;  // one device: world size 1 is what can run
    }
    for (const auto& r : result.ranks) {
      EXPECT_EQ(r.exit_code, 0) << r.report;
      EXPECT_EQ(r.report, "ok");
    }
  }
}

// The tensor collectives on the device: a CUDA tensor reduced in place after work queued on the
// backend's stream (the fill below), and a CPU tensor through a device copy.
TEST(NcclGroup, SumsTensorsWhereTheyLie) {
#ifndef PLDR_CUDA
  GTEST_SKIP() << "this build has no CUDA backend (-DPLDR_CUDA=ON): no CUDA tensors";
#else
  const auto result =
      fork_ranks({2, 2}, free_port(), Milliseconds(60000), [](const Rendezvous& rv, std::string& report) {
        int devices = 0;
        if (!backend_available(Device::CUDA) || cudaGetDeviceCount(&devices) != cudaSuccess || devices < 2) {
          report = "no device";
          return;
        }
        NcclGroup group(rv);  // selects this rank's GPU before the first CUDA tensor
        Tensor on_gpu = Tensor::empty({1 << 20}, DType::Float32, Device::CUDA);
        on_gpu.fill(double(rv.rank + 1));  // queued on the backend's stream: the sum must wait for it
        group.all_reduce(on_gpu);
        Tensor on_cpu = Tensor::empty({1000}, DType::Float64);
        on_cpu.fill(0.5 * rv.rank);
        group.all_reduce(on_cpu);
        for (float v : on_gpu.to_vector<float>())
          if (v != 3.0f) {
            report = "wrong device sum " + std::to_string(v);
            return;
          }
        for (double v : on_cpu.to_vector<double>())
          if (v != 0.5) {
            report = "wrong host sum " + std::to_string(v);
            return;
          }
        report = "ok";
      });
  if (result.ranks[0].report == "no device") GTEST_SKIP() << "fewer than 2 usable CUDA devices: unverified";
  for (const auto& r : result.ranks) {
    EXPECT_EQ(r.exit_code, 0) << r.report;
    EXPECT_EQ(r.report, "ok");
  }
#endif
}

}  // namespace
}  // namespace pldr::dist
