// Tests of the corpus meta file: round trip and rejection of files that are not one.
#include "data/corpus_meta.h"

#include <gtest/gtest.h>

#include "data/error.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::read_all;
using testing::TempDir;

CorpusMeta sample_meta() {
  CorpusMeta meta;
  meta.tokenizer_path = "data/tokenizer/pldr-refinedweb-32k.model";
  meta.tokenizer_identity = "sentencepiece:v32000:fnv1a64:0123456789abcdef";
  meta.vocab_size = 32000;
  meta.eos_id = 3;
  meta.splits["train"] = {"c.train.tok", 90, 12345, 50000, 49990};
  meta.splits["val"] = {"c.val.tok", 10, 1234, 5000, 4999};
  return meta;
}

std::string read_error(const std::string& path) {
  try {
    read_corpus_meta(path);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(DataCorpusMeta, RoundTrips) {
  TempDir dir;
  const CorpusMeta meta = sample_meta();
  write_corpus_meta(dir.file("c.meta.json"), meta);
  const CorpusMeta back = read_corpus_meta(dir.file("c.meta.json"));
  EXPECT_EQ(back.tokenizer_path, meta.tokenizer_path);
  EXPECT_EQ(back.tokenizer_identity, meta.tokenizer_identity);
  EXPECT_EQ(back.vocab_size, 32000u);
  EXPECT_EQ(back.eos_id, 3);
  ASSERT_EQ(back.splits.size(), 2u);
  const SplitStats& val = back.splits.at("val");
  EXPECT_EQ(val.file, "c.val.tok");
  EXPECT_EQ(val.documents, 10u);
  EXPECT_EQ(val.tokens, 1234u);
  EXPECT_EQ(val.text_bytes, 5000u);
  EXPECT_EQ(val.text_chars, 4999u);
  EXPECT_EQ(back.splits.at("train").tokens, 12345u);
  EXPECT_NE(read_all(dir.file("c.meta.json")).find("\"format\": \"pldr-token-corpus\""), std::string::npos);
}

TEST(DataCorpusMeta, MissingFileNamesThePath) {
  TempDir dir;
  const std::string message = read_error(dir.file("absent.json"));
  EXPECT_NE(message.find(dir.file("absent.json")), std::string::npos) << message;
}

TEST(DataCorpusMeta, RejectsBadJsonOtherFormatsVersionsAndMissingFields) {
  TempDir dir;
  EXPECT_NE(read_error(dir.write("bad.json", "{\"format\": ")).find("bad.json"), std::string::npos);
  EXPECT_NE(read_error(dir.write("other.json", "{\"format\": \"x\"}")).find("not a pldr-token-corpus file"),
            std::string::npos);
  EXPECT_NE(
      read_error(dir.write("v.json", "{\"format\": \"pldr-token-corpus\", \"version\": 9}")).find("format version 9"),
      std::string::npos);
  const std::string no_splits =
      "{\"format\": \"pldr-token-corpus\", \"version\": 1, \"eos_id\": 3, "
      "\"tokenizer\": {\"path\": \"p\", \"identity\": \"i\", \"vocab_size\": 5}}";
  EXPECT_NE(read_error(dir.write("s.json", no_splits)).find("splits"), std::string::npos);
}

}  // namespace
}  // namespace pldr::data
