// Tests of packing: the samples of the pack, pad and nopad modes, over memory and token files.
#include "data/packing.h"

#include <gtest/gtest.h>

#include "data/error.h"
#include "data/token_file.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using Samples = std::vector<std::vector<int32_t>>;
constexpr int32_t kEos = 3;

Samples all_samples(const SampleTable& table) {
  Samples samples(table.size(), std::vector<int32_t>(table.sample_length()));
  for (uint64_t i = 0; i < table.size(); ++i) table.read(i, samples[i].data());
  return samples;
}

std::shared_ptr<const TokenSource> tokens(std::vector<int32_t> values) {
  return std::make_shared<TokenVector>(std::move(values));
}

// Three documents ending with EOS (3): lengths 4, 2 and 7, then 2 tokens without EOS.
std::shared_ptr<const TokenSource> three_documents() {
  return tokens({10, 11, 12, 3, 20, 3, 30, 31, 32, 33, 34, 35, 3, 40, 41});
}

TEST(DataPacking, PackCutsConsecutiveChunksAndDropsTheShortTail) {
  std::vector<int32_t> values(11);
  for (int i = 0; i < 11; ++i) values[i] = 100 + i;
  const SampleTable table(tokens(values), PackMode::pack, 3);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(all_samples(table), (Samples{{100, 101, 102}, {103, 104, 105}, {106, 107, 108}}));
  EXPECT_EQ(table.span(2).begin, 6u);
  EXPECT_EQ(table.span(2).length, 3u);
}

TEST(DataPacking, PackIgnoresDocumentBoundaries) {
  const SampleTable table(three_documents(), PackMode::pack, 5);
  EXPECT_EQ(all_samples(table), (Samples{{10, 11, 12, 3, 20}, {3, 30, 31, 32, 33}, {34, 35, 3, 40, 41}}));
}

TEST(DataPacking, PadTruncatesEachDocumentAndPadsWithZero) {
  const SampleTable table(three_documents(), PackMode::pad, 5);
  EXPECT_EQ(all_samples(table),
            (Samples{{10, 11, 12, 3, 0}, {20, 3, 0, 0, 0}, {30, 31, 32, 33, 34}, {40, 41, 0, 0, 0}}));
}

TEST(DataPacking, NopadCutsEachDocumentAndDropsShortChunks) {
  const SampleTable table(three_documents(), PackMode::nopad, 3);
  EXPECT_EQ(all_samples(table), (Samples{{10, 11, 12}, {30, 31, 32}, {33, 34, 35}}));
}

TEST(DataPacking, EmptyStreamHasNoSamples) {
  for (const PackMode mode : {PackMode::pack, PackMode::pad, PackMode::nopad}) {
    EXPECT_EQ(SampleTable(tokens({}), mode, 4).size(), 0u);
  }
}

TEST(DataPacking, TokenFileGivesTheSameSamplesAsMemory) {
  testing::TempDir dir;
  std::vector<int32_t> values(200000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = i % 97 == 0 ? kEos : static_cast<int32_t>(5 + i % 1000);
  write_token_file(dir.file("t.tok"), values, 32000);
  const auto file = std::make_shared<TokenFile>(dir.file("t.tok"));
  for (const PackMode mode : {PackMode::pack, PackMode::pad, PackMode::nopad}) {
    EXPECT_EQ(all_samples(SampleTable(file, mode, 65)), all_samples(SampleTable(tokens(values), mode, 65)));
  }
}

TEST(DataPacking, ParsesModeNames) {
  EXPECT_EQ(parse_pack_mode("pack"), PackMode::pack);
  EXPECT_EQ(parse_pack_mode("pad"), PackMode::pad);
  EXPECT_EQ(parse_pack_mode("nopad"), PackMode::nopad);
  try {
    parse_pack_mode("packed");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("\"packed\""), std::string::npos) << e.what();
  }
}

TEST(DataPacking, RejectsTooShortSamplesAndIndicesPastTheEnd) {
  EXPECT_THROW(SampleTable(three_documents(), PackMode::pack, 1), DataError);
  const SampleTable table(three_documents(), PackMode::pack, 5);
  std::vector<int32_t> out(5);
  EXPECT_THROW(table.read(3, out.data()), DataError);
}

}  // namespace
}  // namespace pldr::data
