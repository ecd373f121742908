// Tests of seeded_permutation: a permutation, reproducible, seed- and epoch-dependent, unbiased.
#include "data/permutation.h"

#include <gtest/gtest.h>
#include <set>

#include <algorithm>
#include <map>
#include <numeric>

namespace pldr::data {
namespace {

TEST(DataPermutation, IsAPermutation) {
  std::vector<uint64_t> order = seeded_permutation(1000, 7, 0);
  std::sort(order.begin(), order.end());
  std::vector<uint64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), uint64_t{0});
  EXPECT_EQ(order, expected);
  EXPECT_TRUE(seeded_permutation(0, 7, 0).empty());
  EXPECT_EQ(seeded_permutation(1, 7, 0), std::vector<uint64_t>{0});
}

TEST(DataPermutation, ReproducibleAndDependsOnSeedAndEpoch) {
  EXPECT_EQ(seeded_permutation(100, 42, 3), seeded_permutation(100, 42, 3));
  EXPECT_NE(seeded_permutation(100, 42, 3), seeded_permutation(100, 43, 3));
  EXPECT_NE(seeded_permutation(100, 42, 3), seeded_permutation(100, 42, 4));
  EXPECT_NE(seeded_permutation(100, 1, 0), seeded_permutation(100, 0, 1));
  EXPECT_NE(seeded_permutation(100, 1ull << 32, 0), seeded_permutation(100, 0, 0));
}

TEST(DataPermutation, OrderIsPinned) {
  // Checkpoints store a loader position, so the order must not change between builds. Printed
  // from this implementation (std::mt19937_64 over std::seed_seq{1, 0, 0, 0}); if it changes on
  // purpose, old checkpoints resume with a different sample order.
  EXPECT_EQ(seeded_permutation(10, 1, 0), (std::vector<uint64_t>{2, 1, 8, 9, 6, 7, 3, 5, 0, 4}));
}

TEST(DataPermutation, AllOrdersOfThreeAreEquallyLikely) {
  std::map<std::vector<uint64_t>, int> counts;
  for (uint64_t seed = 0; seed < 6000; ++seed) ++counts[seeded_permutation(3, seed, 0)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [order, count] : counts) {
    EXPECT_GT(count, 850);  // 1000 expected; 5 standard deviations is about 150
    EXPECT_LT(count, 1150);
  }
}

// The shuffle buffer emits every item once, and only items it has already read: while the stream
// lasts, the k-th emitted item is one of the first k + buffer_size.
TEST(DataShuffleBuffer, EmitsEveryItemOnceAndOnlyAfterItEntersTheBuffer) {
  for (uint64_t buffer : {1u, 2u, 7u, 100u, 1000u}) {
    const std::vector<uint64_t> order = buffered_shuffle_order(300, buffer, 5);
    std::vector<uint64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<uint64_t> identity(300);
    std::iota(identity.begin(), identity.end(), uint64_t{0});
    EXPECT_EQ(sorted, identity);
    // While the stream lasts, the k-th emitted item has already been read: k + buffer items are in.
    for (uint64_t k = 0; k + buffer < 300; ++k) EXPECT_LT(order[k], k + buffer) << buffer << " " << k;
  }
  EXPECT_EQ(buffered_shuffle_order(50, 1, 9), [] {
    std::vector<uint64_t> v(50);
    std::iota(v.begin(), v.end(), uint64_t{0});
    return v;
  }());
  EXPECT_THROW(buffered_shuffle_order(5, 0, 1), std::invalid_argument);
  EXPECT_TRUE(buffered_shuffle_order(0, 4, 1).empty());
}

TEST(DataShuffleBuffer, SeededAndShuffling) {
  EXPECT_EQ(buffered_shuffle_order(200, 16, 3), buffered_shuffle_order(200, 16, 3));
  EXPECT_NE(buffered_shuffle_order(200, 16, 3), buffered_shuffle_order(200, 16, 4));
  const std::vector<uint64_t> order = buffered_shuffle_order(200, 16, 3);
  int64_t moved = 0;
  for (uint64_t k = 0; k < order.size(); ++k) moved += order[k] != k;
  EXPECT_GT(moved, 150);
  // A buffer as large as the stream is a plain permutation of it.
  const std::vector<uint64_t> full = buffered_shuffle_order(20, 20, 3);
  EXPECT_EQ(std::set<uint64_t>(full.begin(), full.end()).size(), 20u);
}

}  // namespace
}  // namespace pldr::data
