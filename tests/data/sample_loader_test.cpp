// Tests of SampleLoader: coverage per epoch, reproducible shuffles, disjoint shards, positions.
#include "data/sample_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "data/error.h"
#include "data/token_file.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

// Tokens 0 .. n-1, so every token names its own position in the stream.
std::shared_ptr<const TokenSource> positions(uint64_t n) {
  std::vector<int32_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  return std::make_shared<TokenVector>(std::move(values));
}

LoaderOptions options(uint64_t context, uint64_t batch_size, uint64_t seed = 0) {
  LoaderOptions o;
  o.context = context;
  o.batch_size = batch_size;
  o.seed = seed;
  return o;
}

// The first token of every sample in `batch`, which identifies a pack-mode sample.
std::vector<int32_t> sample_starts(const Batch& batch) {
  std::vector<int32_t> starts;
  for (uint64_t b = 0; b < batch.batch_size; ++b) starts.push_back(batch.tokens[b * batch.sample_length]);
  return starts;
}

std::vector<int32_t> epoch_starts(SampleLoader& loader) {
  std::vector<int32_t> starts;
  for (uint64_t i = 0; i < loader.batches_per_epoch(); ++i) {
    const std::vector<int32_t> s = sample_starts(loader.next());
    starts.insert(starts.end(), s.begin(), s.end());
  }
  return starts;
}

TEST(DataSampleLoader, PackEpochCoversEveryTokenOnceExceptTheTail) {
  SampleLoader loader(positions(1005), options(9, 10, 1));  // 100 samples of 10, 5 tokens left over
  EXPECT_EQ(loader.samples_per_epoch(), 100u);
  EXPECT_EQ(loader.batches_per_epoch(), 10u);
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int32_t> seen;
    for (uint64_t i = 0; i < loader.batches_per_epoch(); ++i) {
      const Batch batch = loader.next();
      ASSERT_EQ(batch.batch_size, 10u);
      ASSERT_EQ(batch.sample_length, 10u);
      ASSERT_EQ(batch.tokens.size(), 100u);
      for (uint64_t b = 0; b < 10; ++b) {
        const int32_t* sample = batch.tokens.data() + b * 10;
        EXPECT_EQ(sample[0] % 10, 0) << "samples are aligned chunks";
        for (int k = 1; k < 10; ++k) EXPECT_EQ(sample[k], sample[0] + k) << "samples are contiguous";
      }
      seen.insert(seen.end(), batch.tokens.begin(), batch.tokens.end());
    }
    std::sort(seen.begin(), seen.end());
    std::vector<int32_t> expected(1000);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }
}

TEST(DataSampleLoader, ShuffleIsReproducibleAndDiffersBySeedAndEpoch) {
  SampleLoader a(positions(1000), options(9, 10, 5));
  SampleLoader b(positions(1000), options(9, 10, 5));
  SampleLoader c(positions(1000), options(9, 10, 6));
  const std::vector<int32_t> a0 = epoch_starts(a);
  const std::vector<int32_t> c0 = epoch_starts(c);
  EXPECT_EQ(epoch_starts(b), a0);
  EXPECT_NE(c0, a0);
  EXPECT_NE(epoch_starts(a), a0) << "epoch 1 reshuffles";
  std::vector<int32_t> sorted = a0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(sorted, a0) << "shuffled, not sequential";
}

TEST(DataSampleLoader, WithoutShuffleSamplesComeInStreamOrder) {
  LoaderOptions o = options(9, 4);
  o.shuffle = false;
  SampleLoader loader(positions(1000), o);
  std::vector<int32_t> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = 10 * i;
  EXPECT_EQ(epoch_starts(loader), expected);
}

TEST(DataSampleLoader, ShardsAreDisjointEqualAndCoverTheEpoch) {
  for (const uint32_t world : {2u, 3u, 4u}) {
    std::set<int32_t> covered;
    for (uint32_t rank = 0; rank < world; ++rank) {
      LoaderOptions o = options(9, 1, 11);
      o.rank = rank;
      o.world_size = world;
      SampleLoader loader(positions(1000), o);
      EXPECT_EQ(loader.samples_per_epoch(), 100u / world);
      for (const int32_t start : epoch_starts(loader)) {
        EXPECT_TRUE(covered.insert(start).second) << "sample " << start << " on two ranks";
      }
    }
    EXPECT_EQ(covered.size(), 100u - 100u % world) << "world " << world;
  }
}

// Rank r of W takes the batches r, r + W, ... of the single rank's sequence, sample for sample,
// into the next epoch: W ranks of batch B read what one rank reads with W micro-batches.
TEST(DataSampleLoader, RanksTakeWholeBatchesOfTheSingleRankOrder) {
  for (const uint32_t world : {2u, 3u}) {
    SampleLoader one(positions(1000), options(9, 4, 11));  // 100 samples: 25 batches an epoch
    std::vector<std::vector<int32_t>> single;
    for (int i = 0; i < 50; ++i) single.push_back(sample_starts(one.next()));
    for (uint32_t rank = 0; rank < world; ++rank) {
      LoaderOptions o = options(9, 4, 11);
      o.rank = rank;
      o.world_size = world;
      SampleLoader loader(positions(1000), o);
      EXPECT_EQ(loader.samples_per_epoch(), 100u / world);
      const uint64_t batches = loader.batches_per_epoch();  // 25 / world whole rounds
      ASSERT_EQ(batches, 25u / world);
      for (uint64_t t = 0; t < 2 * batches; ++t) {  // two epochs
        const uint64_t epoch = t / batches, in_epoch = t % batches;
        EXPECT_EQ(sample_starts(loader.next()), single[size_t(epoch * 25 + in_epoch * world + rank)])
            << "world " << world << ", rank " << rank << ", batch " << t;
      }
    }
  }
}

TEST(DataSampleLoader, PartialBatchIsSkippedAndPositionRollsOver) {
  SampleLoader loader(positions(1000), options(9, 30));  // 100 samples: 3 batches of 30, 10 left
  EXPECT_EQ(loader.batches_per_epoch(), 3u);
  EXPECT_EQ(loader.position(), (LoaderPosition{0, 0}));
  loader.next();
  EXPECT_EQ(loader.position(), (LoaderPosition{0, 30}));
  loader.next();
  const Batch third = loader.next();
  EXPECT_EQ(third.position, (LoaderPosition{0, 60}));
  EXPECT_EQ(loader.position(), (LoaderPosition{1, 0}));
  EXPECT_EQ(loader.next().position, (LoaderPosition{1, 0}));
}

TEST(DataSampleLoader, SeekReproducesTheFollowingBatches) {
  SampleLoader original(positions(1000), options(9, 8, 3));  // 12 batches an epoch
  for (int i = 0; i < 7; ++i) original.next();
  const LoaderPosition saved = original.position();
  std::vector<Batch> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(original.next());  // crosses into epoch 2

  SampleLoader resumed(positions(1000), options(9, 8, 3));
  resumed.seek(saved);
  EXPECT_EQ(resumed.position(), saved);
  for (const Batch& batch : expected) {
    const Batch got = resumed.next();
    EXPECT_EQ(got.position, batch.position);
    EXPECT_EQ(got.tokens, batch.tokens);
  }
}

TEST(DataSampleLoader, SeekToTheEndOfAnEpochStartsTheNext) {
  SampleLoader loader(positions(1000), options(9, 30));
  loader.seek({4, 100});
  EXPECT_EQ(loader.position(), (LoaderPosition{5, 0}));
  loader.seek({4, 75});  // fewer than a batch left
  EXPECT_EQ(loader.position(), (LoaderPosition{5, 0}));
}

TEST(DataSampleLoader, DocumentPadModeBatchesArePaddedDocuments) {
  LoaderOptions o = options(4, 2);
  o.mode = PackMode::document_pad;
  o.shuffle = false;
  SampleLoader loader(std::make_shared<TokenVector>(std::vector<int32_t>{7, 8, 3, 9, 9, 9, 9, 9, 9, 3}), o);
  EXPECT_EQ(loader.next().tokens, (std::vector<int32_t>{7, 8, 3, 0, 0, 9, 9, 9, 9, 9}));
}

// The reference's pad: aggregates of documents (here two) cut into samples, the last one padded.
TEST(DataSampleLoader, PadModeCutsAggregatesOfDocuments) {
  LoaderOptions o = options(4, 3);
  o.mode = PackMode::pad;
  o.documents_per_aggregate = 2;
  o.shuffle = false;
  SampleLoader loader(std::make_shared<TokenVector>(std::vector<int32_t>{7, 8, 3, 9, 9, 9, 9, 9, 9, 3, 5, 3}), o);
  EXPECT_EQ(loader.next().tokens, (std::vector<int32_t>{7, 8, 3, 9, 9, 9, 9, 9, 9, 3, 5, 3, 0, 0, 0}));
  EXPECT_EQ(loader.samples().size(), 3u);  // the second aggregate, "5 3", is one short sample
}

TEST(DataSampleLoader, ReadsTokenFiles) {
  testing::TempDir dir;
  std::vector<int32_t> values(1000);
  std::iota(values.begin(), values.end(), 0);
  write_token_file(dir.file("t.tok"), values, 32000);
  SampleLoader from_file(std::make_shared<TokenFile>(dir.file("t.tok")), options(9, 10, 2));
  SampleLoader from_memory(positions(1000), options(9, 10, 2));
  for (int i = 0; i < 15; ++i) EXPECT_EQ(from_file.next().tokens, from_memory.next().tokens);
}

TEST(DataSampleLoader, RejectsBadOptionsAndPositions) {
  LoaderOptions o = options(9, 10);
  o.rank = 2;
  o.world_size = 2;
  EXPECT_THROW(SampleLoader(positions(1000), o), DataError);
  EXPECT_THROW(SampleLoader(positions(1000), options(9, 0)), DataError);
  EXPECT_THROW(SampleLoader(positions(1000), options(0, 1)), DataError);
  try {
    SampleLoader(positions(1000), options(9, 101));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("fewer than a batch of 101"), std::string::npos) << e.what();
  }
  SampleLoader loader(positions(1000), options(9, 10));
  EXPECT_THROW(loader.seek({0, 101}), DataError);
}

}  // namespace
}  // namespace pldr::data
