// Tests of packing: the samples of every mode, over memory and token files.
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

TEST(DataPacking, DocumentPadTruncatesEachDocumentAndPadsWithZero) {
  const SampleTable table(three_documents(), PackMode::document_pad, 5);
  EXPECT_EQ(all_samples(table),
            (Samples{{10, 11, 12, 3, 0}, {20, 3, 0, 0, 0}, {30, 31, 32, 33, 34}, {40, 41, 0, 0, 0}}));
}

TEST(DataPacking, DocumentNopadCutsEachDocumentAndDropsShortChunks) {
  const SampleTable table(three_documents(), PackMode::document_nopad, 3);
  EXPECT_EQ(all_samples(table), (Samples{{10, 11, 12}, {30, 31, 32}, {33, 34, 35}}));
}

// The reference's pad: aggregates of documents are concatenated and cut; only the last chunk of
// each aggregate is short (padded with 0).
TEST(DataPacking, PadCutsAggregatesOfDocumentsAndPadsOnlyTheirLastChunk) {
  // Aggregates of two documents: {10 11 12 3, 20 3} and {30 .. 3, 40 41}.
  const SampleTable table(three_documents(), PackMode::pad, 4, kEos, 2);
  EXPECT_EQ(all_samples(table),
            (Samples{{10, 11, 12, 3}, {20, 3, 0, 0}, {30, 31, 32, 33}, {34, 35, 3, 40}, {41, 0, 0, 0}}));
  EXPECT_EQ(table.span(1).length, 2u);
  EXPECT_EQ(table.span(3).begin, 10u);
  // One aggregate holding every document: the pack cut, plus the padded tail.
  const SampleTable whole(three_documents(), PackMode::pad, 5, kEos, 100);
  EXPECT_EQ(all_samples(whole), (Samples{{10, 11, 12, 3, 20}, {3, 30, 31, 32, 33}, {34, 35, 3, 40, 41}}));
  // One document per aggregate: each document cut on its own, nothing dropped.
  const SampleTable single(three_documents(), PackMode::pad, 3, kEos, 1);
  EXPECT_EQ(all_samples(single),
            (Samples{{10, 11, 12}, {3, 0, 0}, {20, 3, 0}, {30, 31, 32}, {33, 34, 35}, {3, 0, 0}, {40, 41, 0}}));
}

TEST(DataPacking, NopadKeepsTheSameChunksWithTheirShortLengths) {
  const SampleTable pad(three_documents(), PackMode::pad, 4, kEos, 2);
  const SampleTable nopad(three_documents(), PackMode::nopad, 4, kEos, 2);
  ASSERT_EQ(nopad.size(), pad.size());
  for (uint64_t i = 0; i < pad.size(); ++i) {
    EXPECT_EQ(nopad.span(i).begin, pad.span(i).begin);
    EXPECT_EQ(nopad.span(i).length, pad.span(i).length);
  }
  EXPECT_EQ(nopad.span(4).length, 1u);  // the short last chunk of the second aggregate
  EXPECT_THROW(SampleTable(three_documents(), PackMode::pad, 4, kEos, 0), DataError);
}

TEST(DataPacking, EmptyStreamHasNoSamples) {
  for (const PackMode mode :
       {PackMode::pack, PackMode::pad, PackMode::nopad, PackMode::document_pad, PackMode::document_nopad}) {
    EXPECT_EQ(SampleTable(tokens({}), mode, 4).size(), 0u);
  }
}

TEST(DataPacking, TokenFileGivesTheSameSamplesAsMemory) {
  testing::TempDir dir;
  std::vector<int32_t> values(200000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = i % 97 == 0 ? kEos : static_cast<int32_t>(5 + i % 1000);
  write_token_file(dir.file("t.tok"), values, 32000);
  const auto file = std::make_shared<TokenFile>(dir.file("t.tok"));
  for (const PackMode mode :
       {PackMode::pack, PackMode::pad, PackMode::nopad, PackMode::document_pad, PackMode::document_nopad}) {
    EXPECT_EQ(all_samples(SampleTable(file, mode, 65, kEos, 50)),
              all_samples(SampleTable(tokens(values), mode, 65, kEos, 50)));
  }
}

TEST(DataPacking, ParsesModeNames) {
  EXPECT_EQ(parse_pack_mode("pack"), PackMode::pack);
  EXPECT_EQ(parse_pack_mode("pad"), PackMode::pad);
  EXPECT_EQ(parse_pack_mode("nopad"), PackMode::nopad);
  EXPECT_EQ(parse_pack_mode("document_pad"), PackMode::document_pad);
  EXPECT_EQ(parse_pack_mode("document_nopad"), PackMode::document_nopad);
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
