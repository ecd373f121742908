// Tests of prepare_corpus with the published tokenizer: token files hold the documents' encodings
// in order, splits and the meta file agree, and bad inputs are DataErrors.
#include "data/prepare.h"
#include "data/permutation.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/error.h"
#include "data/token_file.h"
#include "data/tokenizer.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::TempDir;

const std::string kModel = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";

const Tokenizer& tokenizer() {
  static const Tokenizer tok = Tokenizer::load(kModel);
  return tok;
}

std::vector<int32_t> tokens_of(const std::string& path) {
  const TokenFile file(path);
  std::vector<int32_t> tokens(file.size());
  file.read(0, file.size(), tokens.data());
  return tokens;
}

std::vector<int32_t> encode_all(const std::vector<std::string>& documents) {
  std::vector<int32_t> tokens;
  for (const std::string& d : documents) {
    const std::vector<int32_t> ids = tokenizer().encode_document(d);
    tokens.insert(tokens.end(), ids.begin(), ids.end());
  }
  return tokens;
}

std::vector<std::string> numbered_documents(int count) {
  std::vector<std::string> documents;
  for (int i = 0; i < count; ++i) documents.push_back("Document number " + std::to_string(i) + " says hello.");
  return documents;
}

std::string as_paragraphs(const std::vector<std::string>& documents) {
  std::string text;
  for (const std::string& d : documents) text += d + "\n\n";
  return text;
}

PrepareOptions options_for(const TempDir& dir, const std::string& text) {
  PrepareOptions options;
  options.sources = {{.path = dir.write("corpus.txt", text)}};
  options.tokenizer_path = kModel;
  options.output_prefix = dir.file("out/corpus");
  options.show_progress = false;
  return options;
}

std::string prepare_error(const PrepareOptions& options) {
  try {
    prepare_corpus(options);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(DataPrepare, WritesEveryDocumentWithEosInOrder) {
  TempDir dir;
  const std::vector<std::string> documents = {"Hello there.", "Caf\xC3\xA9 au lait, 1995.", "Last one"};
  const PrepareStats stats = prepare_corpus(options_for(dir, as_paragraphs(documents)));

  EXPECT_EQ(stats.train_path, dir.file("out/corpus.train.tok"));
  EXPECT_EQ(stats.meta_path, dir.file("out/corpus.meta.json"));
  EXPECT_TRUE(stats.val_path.empty());
  EXPECT_EQ(tokens_of(stats.train_path), encode_all(documents));

  const SplitStats& train = stats.meta.splits.at("train");
  EXPECT_EQ(stats.meta.splits.count("val"), 0u);
  EXPECT_EQ(train.file, "corpus.train.tok");
  EXPECT_EQ(train.documents, 3u);
  EXPECT_EQ(train.tokens, encode_all(documents).size());
  EXPECT_EQ(train.text_bytes, 12u + 20u + 8u);  // "Café" is 5 bytes, 4 characters
  EXPECT_EQ(train.text_chars, train.text_bytes - 1);
  EXPECT_EQ(stats.meta.tokenizer_identity, tokenizer().identity());
  EXPECT_EQ(stats.meta.vocab_size, 32000u);
  EXPECT_EQ(stats.meta.eos_id, 3);

  const CorpusMeta on_disk = read_corpus_meta(stats.meta_path);
  EXPECT_EQ(on_disk.tokenizer_identity, tokenizer().identity());
  EXPECT_EQ(on_disk.splits.at("train").tokens, train.tokens);
}

TEST(DataPrepare, ValidationFractionTakesDocumentsFromTheEnd) {
  TempDir dir;
  const std::vector<std::string> documents = numbered_documents(10);
  PrepareOptions options = options_for(dir, as_paragraphs(documents));
  options.val_fraction = 0.2;
  const PrepareStats stats = prepare_corpus(options);

  const std::vector<std::string> train(documents.begin(), documents.begin() + 8);
  const std::vector<std::string> val(documents.begin() + 8, documents.end());
  EXPECT_EQ(tokens_of(stats.train_path), encode_all(train));
  EXPECT_EQ(stats.val_path, dir.file("out/corpus.val.tok"));
  EXPECT_EQ(tokens_of(stats.val_path), encode_all(val));
  EXPECT_EQ(stats.meta.splits.at("train").documents, 8u);
  EXPECT_EQ(stats.meta.splits.at("val").documents, 2u);
  EXPECT_EQ(stats.meta.splits.at("val").text_bytes, val[0].size() + val[1].size());
  EXPECT_EQ(read_corpus_meta(stats.meta_path).splits.at("val").file, "corpus.val.tok");
}

// The reference's index ranges: train | validation | test, test the last documents.
TEST(DataPrepare, TestFractionTakesTheLastDocumentsAfterValidation) {
  TempDir dir;
  const std::vector<std::string> documents = numbered_documents(10);
  PrepareOptions options = options_for(dir, as_paragraphs(documents));
  options.val_fraction = 0.2;
  options.test_fraction = 0.3;
  const PrepareStats stats = prepare_corpus(options);
  EXPECT_EQ(tokens_of(stats.train_path), encode_all({documents.begin(), documents.begin() + 5}));
  EXPECT_EQ(tokens_of(stats.val_path), encode_all({documents.begin() + 5, documents.begin() + 7}));
  EXPECT_EQ(stats.test_path, dir.file("out/corpus.test.tok"));
  EXPECT_EQ(tokens_of(stats.test_path), encode_all({documents.begin() + 7, documents.end()}));
  EXPECT_EQ(read_corpus_meta(stats.meta_path).splits.at("test").documents, 3u);
  // A later run without a test split removes the stale file.
  options.test_fraction = 0.0;
  const PrepareStats again = prepare_corpus(options);
  EXPECT_TRUE(again.test_path.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.file("out/corpus.test.tok")));
  options.test_fraction = 0.9;
  EXPECT_NE(prepare_error(options).find("too few"), std::string::npos);
  options.test_fraction = 1.0;
  EXPECT_NE(prepare_error(options).find("test fraction"), std::string::npos);
}

// The shuffle buffer reorders whole training documents, seeded; validation and test keep their order.
TEST(DataPrepare, ShuffleBufferReordersTrainingDocumentsOnly) {
  TempDir dir;
  const std::vector<std::string> documents = numbered_documents(30);
  PrepareOptions options = options_for(dir, as_paragraphs(documents));
  options.val_fraction = 0.1;
  options.shuffle_buffer = 8;
  options.shuffle_seed = 11;
  const PrepareStats stats = prepare_corpus(options);
  std::vector<std::string> expected;
  for (uint64_t d : buffered_shuffle_order(27, 8, 11)) expected.push_back(documents[d]);
  EXPECT_EQ(tokens_of(stats.train_path), encode_all(expected));
  EXPECT_NE(expected, std::vector<std::string>(documents.begin(), documents.begin() + 27));
  EXPECT_EQ(tokens_of(stats.val_path), encode_all({documents.begin() + 27, documents.end()}));
  const SplitStats& train = stats.meta.splits.at("train");
  uint64_t bytes = 0;
  for (const std::string& d : expected) bytes += d.size();
  EXPECT_EQ(train.text_bytes, bytes);
  EXPECT_EQ(train.documents, 27u);
}

TEST(DataPrepare, SmallValidationFractionKeepsAtLeastOneDocument) {
  TempDir dir;
  PrepareOptions options = options_for(dir, as_paragraphs(numbered_documents(5)));
  options.val_fraction = 0.01;
  EXPECT_EQ(prepare_corpus(options).meta.splits.at("val").documents, 1u);
}

TEST(DataPrepare, SeparateValidationSourcesAndJsonLines) {
  TempDir dir;
  PrepareOptions options = options_for(dir, as_paragraphs(numbered_documents(3)));
  options.val_sources = {{.path = dir.write("val.jsonl", "{\"content\": \"held out\"}\n{\"content\": \"also\"}\n"),
                          .format = TextFormat::jsonl,
                          .field = "content"}};
  const PrepareStats stats = prepare_corpus(options);
  EXPECT_EQ(tokens_of(stats.train_path), encode_all(numbered_documents(3)));
  EXPECT_EQ(tokens_of(stats.val_path), encode_all({"held out", "also"}));
  EXPECT_EQ(stats.meta.splits.at("val").documents, 2u);
}

TEST(DataPrepare, SeveralSourcesAreConcatenatedInOrder) {
  TempDir dir;
  PrepareOptions options = options_for(dir, "first\n\nsecond\n");
  options.sources.push_back({.path = dir.write("whole.txt", "third\n\nstill third"), .split = TextSplit::whole_file});
  EXPECT_EQ(tokens_of(prepare_corpus(options).train_path), encode_all({"first", "second", "third\n\nstill third"}));
}

TEST(DataPrepare, ThreadCountDoesNotChangeTheOutput) {
  TempDir dir;
  PrepareOptions options = options_for(dir, as_paragraphs(numbered_documents(50)));
  options.num_threads = 1;
  const std::vector<int32_t> one = tokens_of(prepare_corpus(options).train_path);
  options.num_threads = 3;
  EXPECT_EQ(tokens_of(prepare_corpus(options).train_path), one);
}

TEST(DataPrepare, RunWithoutValidationRemovesAStaleValidationFile) {
  TempDir dir;
  PrepareOptions options = options_for(dir, as_paragraphs(numbered_documents(4)));
  options.val_fraction = 0.25;
  const std::string val_path = prepare_corpus(options).val_path;
  ASSERT_TRUE(std::filesystem::exists(val_path));
  options.val_fraction = 0.0;
  prepare_corpus(options);
  EXPECT_FALSE(std::filesystem::exists(val_path));
}

TEST(DataPrepare, MissingSourceNamesTheFile) {
  TempDir dir;
  PrepareOptions options = options_for(dir, "text\n");
  options.sources.push_back({.path = dir.file("absent.txt")});
  const std::string message = prepare_error(options);
  EXPECT_NE(message.find(dir.file("absent.txt")), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out/corpus.meta.json")));
}

TEST(DataPrepare, BadJsonLineNamesTheFileAndLine) {
  TempDir dir;
  PrepareOptions options = options_for(dir, "");
  options.sources = {{.path = dir.write("d.jsonl", "{\"text\": \"a\"}\nnot json\n"), .format = TextFormat::jsonl}};
  const std::string message = prepare_error(options);
  EXPECT_NE(message.find(dir.file("d.jsonl") + " line 2"), std::string::npos) << message;
}

TEST(DataPrepare, MissingTokenizerIsADataError) {
  TempDir dir;
  PrepareOptions options = options_for(dir, "text\n");
  options.tokenizer_path = dir.file("absent.model");
  EXPECT_NE(prepare_error(options).find("absent.model"), std::string::npos);
}

TEST(DataPrepare, RejectsEmptyInputsAndImpossibleSplits) {
  TempDir dir;
  EXPECT_NE(prepare_error(options_for(dir, "\n\n")).find("no documents"), std::string::npos);

  PrepareOptions options = options_for(dir, "only one document\n");
  options.val_fraction = 0.5;
  EXPECT_NE(prepare_error(options).find("too few"), std::string::npos);

  options.val_fraction = 1.0;
  EXPECT_NE(prepare_error(options).find("outside [0, 1)"), std::string::npos);

  options.val_fraction = 0.1;
  options.val_sources = options.sources;
  EXPECT_NE(prepare_error(options).find("not both"), std::string::npos);

  options = options_for(dir, "text\n");
  options.sources.clear();
  EXPECT_NE(prepare_error(options).find("no text sources"), std::string::npos);
}

}  // namespace
}  // namespace pldr::data
