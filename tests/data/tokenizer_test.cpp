// Tests of Tokenizer on the published PLDR-LLM model (data/tokenizer/pldr-refinedweb-32k.model),
// with each engine of the build (the SentencePiece library where built, the built-in reader).
#include "data/tokenizer.h"

#include <gtest/gtest.h>

#include "data/error.h"
#include "temp_dir.h"
#include "tokenizer_checks.h"

namespace pldr::data {
namespace {

using testing::TempDir;

const std::string kModel = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";

class DataTokenizer : public ::testing::TestWithParam<TokenizerEngine> {
 protected:
  const Tokenizer& published() const {
    static const Tokenizer library = Tokenizer::load(kModel, default_tokenizer_engine());
    static const Tokenizer builtin = Tokenizer::load(kModel, TokenizerEngine::builtin);
    return GetParam() == TokenizerEngine::builtin ? builtin : library;
  }
  Tokenizer load(const std::string& path) const { return Tokenizer::load(path, GetParam()); }
  void expect_error_mentions(const std::string& path, const std::string& problem) const;
};

std::vector<TokenizerEngine> engines() {
  std::vector<TokenizerEngine> out = {TokenizerEngine::builtin};
  if (has_tokenizer_engine(TokenizerEngine::library)) out.push_back(TokenizerEngine::library);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Engines, DataTokenizer, ::testing::ValuesIn(engines()), [](const auto& info) {
  return info.param == TokenizerEngine::builtin ? "builtin" : "library";
});

void DataTokenizer::expect_error_mentions(const std::string& path, const std::string& problem) const {
  try {
    load(path);
    FAIL() << "expected DataError for " << path;
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

TEST_P(DataTokenizer, PublishedModelHasPldrSpecialIds) {
  const Tokenizer& tok = published();
  EXPECT_EQ(tok.vocab_size(), 32000);
  expect_pldr_special_ids(tok);
  EXPECT_EQ(tok.path(), kModel);
}

TEST_P(DataTokenizer, PromptRoundTripsWithoutBosOrEos) {
  const std::string text = "The quick brown fox jumps over the lazy dog, twice.";
  const std::vector<int32_t> ids = published().encode_prompt(text);
  ASSERT_FALSE(ids.empty());
  for (const int32_t id : ids) {
    EXPECT_GT(id, 5) << "no special id in a plain sentence";
    EXPECT_LT(id, 32000);
  }
  EXPECT_EQ(published().decode(ids), text);
}

TEST_P(DataTokenizer, DocumentIsThePromptWithEosAppended) {
  const std::string text = "First Citizen:\nBefore we proceed any further, hear me speak.";
  std::vector<int32_t> expected = published().encode_prompt(text);
  expected.push_back(3);
  EXPECT_EQ(published().encode_document(text), expected);
  EXPECT_EQ(published().encode_document("").back(), 3);
}

TEST_P(DataTokenizer, ControlIdsDecodeToNothing) {
  const std::vector<int32_t> hello = published().encode_prompt("hello");
  std::vector<int32_t> ids = {0, 3};
  ids.insert(ids.end(), hello.begin(), hello.end());
  ids.push_back(3);
  EXPECT_EQ(published().decode(ids), "hello");
}

TEST_P(DataTokenizer, DigitsAreSplit) {
  for (const int32_t id : published().encode_prompt("2024 and 31415")) {
    const std::string piece = published().decode(std::vector<int32_t>{id});
    int digits = 0;
    for (const char c : piece) digits += c >= '0' && c <= '9';
    EXPECT_LE(digits, 1) << "id " << id << " decodes to " << piece;
  }
}

TEST_P(DataTokenizer, UnusualCharacterRoundTripsThroughByteFallback) {
  const std::string text = "parrot \xF0\x9F\xA6\x9C here";  // U+1F99C PARROT
  const std::vector<int32_t> ids = published().encode_prompt(text);
  bool has_byte_piece = false;
  for (const int32_t id : ids) {
    EXPECT_NE(id, published().unk_id());
    has_byte_piece |= published().piece(id).rfind("<0x", 0) == 0;
  }
  EXPECT_TRUE(has_byte_piece);
  EXPECT_EQ(published().decode(ids), text);
}

TEST_P(DataTokenizer, IdentityNamesVocabSizeAndHashesTheModelBytes) {
  const std::string& identity = published().identity();
  const std::string prefix = "sentencepiece:v32000:fnv1a64:";
  ASSERT_EQ(identity.size(), prefix.size() + 16) << identity;
  EXPECT_EQ(identity.substr(0, prefix.size()), prefix);
  EXPECT_EQ(identity.substr(prefix.size()).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(load(kModel).identity(), identity);
}

TEST(DataTokenizerHash, Fnv1aMatchesPublishedTestVectors) {
  // From the FNV reference test suite (www.isthe.com/chongo/tech/comp/fnv).
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST_P(DataTokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  EXPECT_THROW(published().decode(std::vector<int32_t>{32000}), DataError);
  EXPECT_THROW(published().decode(std::vector<int32_t>{-1}), DataError);
  EXPECT_THROW(published().piece(32000), DataError);
}

TEST_P(DataTokenizer, MovedTokenizerStillEncodes) {
  Tokenizer a = load(kModel);
  Tokenizer b = std::move(a);
  EXPECT_EQ(b.encode_prompt("hello world"), published().encode_prompt("hello world"));
}

TEST_P(DataTokenizer, MissingFileIsADataError) {
  TempDir dir;
  expect_error_mentions(dir.file("missing.model"), "cannot open");
}

TEST_P(DataTokenizer, TextFileIsNotAModel) {
  TempDir dir;
  expect_error_mentions(dir.write("notes.model", "this is plain text, not a protobuf\n"), "not a SentencePiece model");
}

TEST_P(DataTokenizer, EmptyFileIsNotAModel) {
  TempDir dir;
  expect_error_mentions(dir.write("empty.model", ""), "not a SentencePiece model");
}

TEST_P(DataTokenizer, TruncatedModelIsNotAModel) {
  TempDir dir;
  const std::string bytes = testing::read_all(kModel);
  expect_error_mentions(dir.write("cut.model", bytes.substr(0, bytes.size() / 2)), "not a SentencePiece model");
}

}  // namespace
}  // namespace pldr::data
