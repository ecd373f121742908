// The ring engine on localhost: all-reduce against a plain sum, the same bits on every rank,
// broadcast, barrier, reduce-scatter and all-gather, and bucketed gradients, with 2, 3 and 4 ranks in forked processes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "dist/error.h"
#include "dist/gradients.h"
#include "dist/ring_group.h"
#include "tensor/creation.h"
#include "tests/dist/fork_ranks.h"

namespace pldr::dist {
namespace {

using testing::fork_ranks;
using testing::free_port;

// A value that differs per rank and element, with magnitudes that make rounding visible.
template <class T> T contribution(int rank, size_t i) {
  return T(std::sin(double(i) * 0.37 + rank) * std::pow(10.0, double((i + size_t(rank)) % 7) - 3));
}

template <class T> std::string as_bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// The contributions of ranks 0..world-1 summed left to right.
template <class T> std::vector<T> summed_contributions(int world, size_t count) {
  std::vector<T> sum(count, T(0));
  for (int r = 0; r < world; ++r)
    for (size_t i = 0; i < count; ++i) sum[i] += contribution<T>(r, i);
  return sum;
}

// Every rank ended well and reported the same bytes as rank 0.
template <class Result> void expect_ranks_agree(const Result& result, int world) {
  for (int r = 0; r < world; ++r) {
    ASSERT_EQ(result.ranks[size_t(r)].exit_code, 0) << "rank " << r << ": " << result.ranks[size_t(r)].report;
    EXPECT_EQ(result.ranks[size_t(r)].report, result.ranks[0].report) << "rank " << r << " differs from rank 0";
  }
}

// Each rank reports its result's bytes; all must agree, and match a left-to-right sum over
// ranks: exactly for 2 ranks, within rounding for more (the order is a rotation per segment).
template <class T> void check_all_reduce(int world, size_t count) {
  const auto result = fork_ranks(std::vector<int>(size_t(world), world), free_port(), Milliseconds(10000),
                                 [&](const Rendezvous& rv, std::string& report) {
                                   RingGroup group(rv);
                                   std::vector<T> v(count);
                                   for (size_t i = 0; i < count; ++i) v[i] = contribution<T>(rv.rank, i);
                                   group.all_reduce(std::span<T>(v));
                                   report = as_bytes(v);
                                 });
  const std::vector<T> expected = summed_contributions<T>(world, count);
  expect_ranks_agree(result, world);
  std::vector<T> got(count);
  if (count > 0) std::memcpy(got.data(), result.ranks[0].report.data(), count * sizeof(T));
  const double ulp = std::is_same_v<T, float> ? 1.2e-7 : 2.3e-16;
  for (size_t i = 0; i < count; ++i) {
    if (world == 2) ASSERT_EQ(got[i], expected[i]) << "element " << i;
    // a few roundings of partial sums, each within an ulp of the largest contribution
    else ASSERT_NEAR(got[i], expected[i], 4 * ulp * 1e3) << "element " << i;
  }
}

TEST(RingAllReduce, TwoRanksSumExactlyLikeOneProcess) {
  check_all_reduce<float>(2, 1000);
  check_all_reduce<double>(2, 100003);
}

TEST(RingAllReduce, ThreeAndFourRanksAgreeBitForBitAndSumWithinRounding) {
  check_all_reduce<double>(3, 70001);
  check_all_reduce<float>(4, 1 << 20);  // 4 MiB: many pipelined pieces per segment
}

TEST(RingAllReduce, FewerElementsThanRanks) {
  check_all_reduce<double>(3, 1);
  check_all_reduce<float>(4, 3);
  check_all_reduce<float>(3, 0);
}

// ProcessGroup's own reduce_scatter and all_gather (an all-reduce, one broadcast per shard), as
// engines without their own (Gloo, NCCL) run them: the ring's all_reduce and broadcast underneath.
class DefaultShardingGroup : public ProcessGroup {
 public:
  explicit DefaultShardingGroup(const Rendezvous& rv) : ring_(rv) {}
  int rank() const override { return ring_.rank(); }
  int world_size() const override { return ring_.world_size(); }
  std::string engine() const override { return "default sharding"; }
  using ProcessGroup::all_reduce;
  void all_reduce(void* data, size_t count, DType dtype) override { ring_.all_reduce(data, count, dtype); }
  void broadcast(void* data, size_t bytes, int root) override { ring_.broadcast(data, bytes, root); }
  void barrier() override { ring_.barrier(); }

 private:
  RingGroup ring_;
};

// reduce_scatter, then all_gather: each rank reports its shard after the reduce-scatter, and the
// whole buffer after the all-gather (the other shards poisoned with NaN between the two) and after
// an all_reduce of the same contributions. The gathered buffer has the same bits on every rank
// and matches a left-to-right sum over ranks: exactly, and equal to all_reduce's, for 2 ranks;
// within rounding for more.
template <class Group, class T> void check_reduce_scatter_all_gather(int world, size_t count) {
  const auto result = fork_ranks(std::vector<int>(size_t(world), world), free_port(), Milliseconds(10000),
                                 [&](const Rendezvous& rv, std::string& report) {
                                   Group group(rv);
                                   std::vector<T> v(count), reduced(count);
                                   for (size_t i = 0; i < count; ++i) reduced[i] = v[i] = contribution<T>(rv.rank, i);
                                   group.reduce_scatter(v.data(), count, dtype_of<T>());
                                   const ShardRange mine = shard_range(count, world, rv.rank);
                                   for (size_t i = 0; i < count; ++i)
                                     if (i < mine.begin || i >= mine.end) v[i] = std::numeric_limits<T>::quiet_NaN();
                                   group.all_gather(v.data(), count, dtype_of<T>());
                                   group.all_reduce(std::span<T>(reduced));
                                   report = as_bytes(v) + as_bytes(reduced);
                                 });
  const std::vector<T> expected = summed_contributions<T>(world, count);
  expect_ranks_agree(result, world);
  std::vector<T> got(count), all_reduced(count);
  if (count > 0) {
    std::memcpy(got.data(), result.ranks[0].report.data(), count * sizeof(T));
    std::memcpy(all_reduced.data(), result.ranks[0].report.data() + count * sizeof(T), count * sizeof(T));
  }
  const double ulp = std::is_same_v<T, float> ? 1.2e-7 : 2.3e-16;
  for (size_t i = 0; i < count; ++i) {
    if (world == 2) {
      ASSERT_EQ(got[i], expected[i]) << "element " << i;
      ASSERT_EQ(got[i], all_reduced[i]) << "element " << i;
    } else {
      ASSERT_NEAR(got[i], expected[i], 4 * ulp * 1e3) << "element " << i;
    }
  }
}

TEST(RingReduceScatter, ThenAllGatherSumsLikeAllReduce) {
  check_reduce_scatter_all_gather<RingGroup, float>(2, 1001);
  check_reduce_scatter_all_gather<RingGroup, double>(2, 100003);
  check_reduce_scatter_all_gather<RingGroup, double>(3, 70001);
  check_reduce_scatter_all_gather<RingGroup, float>(4, 1 << 20);  // many pipelined pieces per segment
  check_reduce_scatter_all_gather<RingGroup, double>(3, 2);       // an empty shard
}

TEST(ProcessGroupSharding, DefaultReduceScatterAndAllGatherAgree) {
  check_reduce_scatter_all_gather<DefaultShardingGroup, double>(2, 10007);
  check_reduce_scatter_all_gather<DefaultShardingGroup, float>(3, 7001);
}

TEST(RingBroadcast, EveryRankGetsTheRootsBytes) {
  const auto result =
      fork_ranks({3, 3, 3}, free_port(), Milliseconds(10000), [](const Rendezvous& rv, std::string& report) {
        RingGroup group(rv);
        std::vector<double> v(300000, double(rv.rank));
        if (rv.rank == 1)
          for (size_t i = 0; i < v.size(); ++i) v[i] = double(i) * 0.5;
        group.broadcast(v.data(), v.size() * sizeof(double), 1);
        group.barrier();
        report = as_bytes(v);
      });
  for (const auto& r : result.ranks) {
    ASSERT_EQ(r.exit_code, 0) << r.report;
    EXPECT_EQ(r.report, result.ranks[1].report);
  }
  double element_1000;
  std::memcpy(&element_1000, result.ranks[0].report.data() + 8 * 1000, 8);
  EXPECT_EQ(element_1000, 500.0);
}

// Gradients of mixed sizes, some below the bucket size and one above it, summed over 3 ranks.
TEST(GradientBuckets, SumEveryGradientWhateverItsSize) {
  const std::vector<Shape> shapes{{3}, {1000}, {17, 5}, {300000}, {1}, {40000}};
  const auto result =
      fork_ranks({3, 3, 3}, free_port(), Milliseconds(10000), [&](const Rendezvous& rv, std::string& report) {
        RingGroup group(rv);
        std::vector<ag::Variable> params;
        for (const Shape& s : shapes) {
          ag::Variable p(zeros(s, DType::Float32), true);
          p.set_grad(full(s, double(rv.rank + 1), DType::Float32));
          params.push_back(p);
        }
        params.push_back(ag::Variable(zeros({5}, DType::Float32), true));  // no gradient: skipped
        all_reduce_gradients(group, params, 64 << 10);                     // 64 KiB buckets
        for (const ag::Variable& p : params)
          if (p.grad().defined()) report += as_bytes(p.grad().to_vector<float>());
      });
  std::string expected;
  for (const Shape& s : shapes) expected += as_bytes(std::vector<float>(size_t(numel(s)), 6.0f));
  for (const auto& r : result.ranks) {
    ASSERT_EQ(r.exit_code, 0) << r.report;
    EXPECT_EQ(r.report, expected);
  }
}

}  // namespace
}  // namespace pldr::dist
