// The Gloo engine behind the same interface: sums, broadcast and barrier on 2 and 3 ranks.
#include <gtest/gtest.h>

#include <cstring>

#include "dist/gloo_group.h"
#include "tests/dist/fork_ranks.h"

namespace pldr::dist {
namespace {

using testing::fork_ranks;
using testing::free_port;

TEST(GlooGroup, SumsBroadcastsAndWaitsLikeTheRing) {
  for (const int world : {2, 3}) {
    const size_t count = 100003;
    const auto result = fork_ranks(std::vector<int>(size_t(world), world), free_port(), Milliseconds(10000),
                                   [&](const Rendezvous& rv, std::string& report) {
                                     GlooGroup group(rv);
                                     std::vector<double> v(count);
                                     for (size_t i = 0; i < count; ++i)
                                       v[i] = double(i % 1000) * 0.25 + rv.rank;  // exact sums
                                     group.all_reduce(std::span<double>(v));
                                     std::vector<float> b(1000, float(rv.rank));
                                     if (rv.rank == world - 1) b.assign(1000, 7.5f);
                                     group.broadcast(b.data(), b.size() * sizeof(float), world - 1);
                                     group.barrier();
                                     for (size_t i = 0; i < count; ++i)
                                       if (v[i] != double(i % 1000) * 0.25 * world + world * (world - 1) / 2)
                                         report += "sum ";
                                     if (b != std::vector<float>(1000, 7.5f)) report += "broadcast ";
                                     if (!report.empty()) throw std::runtime_error(report);
                                   });
    for (const auto& r : result.ranks) EXPECT_EQ(r.exit_code, 0) << world << " ranks: " << r.report;
  }
}

TEST(GlooGroup, ConnectChoosesItByName) {
  EXPECT_TRUE(engine_available("gloo"));
  const auto result =
      fork_ranks({2, 2}, free_port(), Milliseconds(10000),
                 [](const Rendezvous& rv, std::string& report) { report = connect(rv, "gloo")->engine(); });
  for (const auto& r : result.ranks) EXPECT_EQ(r.report, "gloo");
}

}  // namespace
}  // namespace pldr::dist
