// Tests of train_tokenizer: a small model trained from a slice of Tiny Shakespeare.
#include "data/tokenizer_trainer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/error.h"
#include "data/tokenizer.h"
#include "temp_dir.h"
#include "tokenizer_checks.h"

namespace pldr::data {
namespace {

using testing::read_all;
using testing::TempDir;

const std::string kCorpus = std::string(PLDR_DATA_DIR) + "/corpus/tinyshakespeare.txt";

TrainOptions small_options(const TempDir& dir) {
  TrainOptions options;
  options.input_files = {dir.write("slice.txt", read_all(kCorpus).substr(0, 200000))};
  options.model_prefix = dir.file("small");
  options.vocab_size = 600;
  options.num_threads = 2;
  return options;
}

TEST(DataTokenizerTrainer, SmallModelHasPldrSettings) {
  TempDir dir;
  const TrainOptions options = small_options(dir);
  train_tokenizer(options);
  ASSERT_TRUE(std::filesystem::exists(options.model_prefix + ".model"));
  EXPECT_TRUE(std::filesystem::exists(options.model_prefix + ".vocab"));

  const Tokenizer tok = Tokenizer::load(options.model_prefix + ".model");
  EXPECT_EQ(tok.vocab_size(), 600);
  expect_pldr_special_ids(tok);
  EXPECT_EQ(tok.identity().rfind("sentencepiece:v600:fnv1a64:", 0), 0u) << tok.identity();

  const std::string sentence = "Before we proceed any further, hear me speak.";
  EXPECT_EQ(tok.decode(tok.encode_prompt(sentence)), sentence);
  EXPECT_EQ(tok.encode_document(sentence).back(), 3);

  // Byte fallback: characters never seen in training still round-trip, as bytes, not [UNK].
  const std::string unusual = "\xE2\x98\x83 snowman, \xF0\x9F\xA6\x9C parrot";
  const std::vector<int32_t> ids = tok.encode_prompt(unusual);
  for (const int32_t id : ids) EXPECT_NE(id, tok.unk_id());
  EXPECT_EQ(tok.decode(ids), unusual);

  // Digits are split.
  for (const int32_t id : tok.encode_prompt("1600 and 42")) {
    const std::string piece = tok.decode(std::vector<int32_t>{id});
    int digits = 0;
    for (const char c : piece) digits += c >= '0' && c <= '9';
    EXPECT_LE(digits, 1) << "id " << id << " decodes to " << piece;
  }
}

TEST(DataTokenizerTrainer, MissingInputIsADataErrorNamingIt) {
  TempDir dir;
  TrainOptions options = small_options(dir);
  options.input_files.push_back(dir.file("absent.txt"));
  try {
    train_tokenizer(options);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("absent.txt")), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(options.model_prefix + ".model"));
}

TEST(DataTokenizerTrainer, InvalidOptionsAreDataErrors) {
  TempDir dir;
  TrainOptions options = small_options(dir);
  options.input_files.clear();
  EXPECT_THROW(train_tokenizer(options), DataError);

  options = small_options(dir);
  options.vocab_size = 0;
  EXPECT_THROW(train_tokenizer(options), DataError);

  options = small_options(dir);
  options.model_type = "no-such-type";
  EXPECT_THROW(train_tokenizer(options), DataError);

  options = small_options(dir);
  options.input_files = {dir.write("a,b.txt", "comma in the name\n")};
  EXPECT_THROW(train_tokenizer(options), DataError);
}

TEST(DataTokenizerTrainer, VocabularyLargerThanTheTextAllowsIsADataError) {
  TempDir dir;
  TrainOptions options = small_options(dir);
  options.input_files = {dir.write("tiny.txt", "to be or not to be\nthat is the question\n")};
  options.vocab_size = 5000;
  EXPECT_THROW(train_tokenizer(options), DataError);
}

}  // namespace
}  // namespace pldr::data
