// The NCCL engine (UNVERIFIED where there is no GPU: the test then skips, saying so). With one
// CUDA device it runs world size 1 on it; with two or more, two ranks.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "dist/nccl_group.h"
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

}  // namespace
}  // namespace pldr::dist
