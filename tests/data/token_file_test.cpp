// Tests of token files: the exact on-disk layout, round trips at both widths, and every way a
// file can be rejected.
#include "data/token_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/error.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::read_all;
using testing::TempDir;

std::vector<int32_t> read_all_tokens(const TokenFile& file) {
  std::vector<int32_t> tokens(file.size());
  file.read(0, file.size(), tokens.data());
  return tokens;
}

// The DataError message of opening `path`, or "" if it opens.
std::string open_error(const std::string& path) {
  try {
    TokenFile file(path);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "\"" << message << "\" lacks \"" << part << "\"";
}

TEST(DataTokenFile, HeaderAndTokensAreLittleEndianAsSpecified) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>{1, 258, 31999}, 32000);
  const std::string bytes = read_all(path);
  const std::string expected_header(
      "PLDRTOK\0"           // magic
      "\x01\0\0\0"          // version 1
      "\x00\x7d\0\0"        // vocab 32000 = 0x7d00
      "\x03\0\0\0\0\0\0\0"  // 3 tokens
      "\x10\0\0\0"          // 16 bits
      "\0\0\0\0",           // padding
      32);
  ASSERT_EQ(bytes.size(), 32u + 3 * 2);
  EXPECT_EQ(bytes.substr(0, 32), expected_header);
  EXPECT_EQ(bytes.substr(32), std::string("\x01\x00\x02\x01\xff\x7c", 6));
}

TEST(DataTokenFile, SixteenBitRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  const std::vector<int32_t> tokens = {0, 3, 65535, 17, 3};
  write_token_file(path, tokens, 65536);
  const TokenFile file(path);
  EXPECT_EQ(file.token_width_bits(), 16u);
  EXPECT_EQ(file.vocab_size(), 65536u);
  EXPECT_EQ(file.size(), tokens.size());
  EXPECT_EQ(file.path(), path);
  EXPECT_EQ(read_all_tokens(file), tokens);
  EXPECT_EQ(file[2], 65535);
  EXPECT_EQ(std::filesystem::file_size(path), 32u + 2 * tokens.size());
}

TEST(DataTokenFile, ThirtyTwoBitRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  const std::vector<int32_t> tokens = {65536, 0, 99999, 70000};
  write_token_file(path, tokens, 65537 + 40000);
  const TokenFile file(path);
  EXPECT_EQ(file.token_width_bits(), 32u);
  EXPECT_EQ(read_all_tokens(file), tokens);
  EXPECT_EQ(std::filesystem::file_size(path), 32u + 4 * tokens.size());
}

TEST(DataTokenFile, EmptyFileHasNoTokens) {
  TempDir dir;
  write_token_file(dir.file("t.tok"), {}, 500);
  const TokenFile file(dir.file("t.tok"));
  EXPECT_EQ(file.size(), 0u);
  EXPECT_EQ(file.vocab_size(), 500u);
}

TEST(DataTokenFile, LargeFileCrossesTheWriteBuffer) {
  TempDir dir;
  std::vector<int32_t> tokens(700000);
  for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((i * 7919) % 32000);
  write_token_file(dir.file("t.tok"), tokens, 32000);
  EXPECT_EQ(read_all_tokens(TokenFile(dir.file("t.tok"))), tokens);
}

TEST(DataTokenFile, ReadsRangesAndRejectsRangesPastTheEnd) {
  TempDir dir;
  write_token_file(dir.file("t.tok"), std::vector<int32_t>{10, 11, 12, 13}, 100);
  const TokenFile file(dir.file("t.tok"));
  std::vector<int32_t> out(3);
  file.read(1, 3, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{11, 12, 13}));
  EXPECT_THROW(file.read(2, 3, out.data()), DataError);
  EXPECT_THROW(file.read(5, 0, out.data()), DataError);
}

TEST(DataTokenFile, MovedFileKeepsItsMapping) {
  TempDir dir;
  write_token_file(dir.file("t.tok"), std::vector<int32_t>{4, 5}, 100);
  TokenFile a(dir.file("t.tok"));
  TokenFile b = std::move(a);
  EXPECT_EQ(b[1], 5);
  TokenFile c(dir.file("t.tok"));
  c = std::move(b);
  EXPECT_EQ(read_all_tokens(c), (std::vector<int32_t>{4, 5}));
}

TEST(DataTokenFile, WriterRejectsTokensOutsideTheVocabularyAndKeepsTheOldFile) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>{1, 2}, 10);
  try {
    write_token_file(path, std::vector<int32_t>{1, 10}, 10);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    expect_contains(e.what(), path);
    expect_contains(e.what(), "token 1 is 10");
  }
  EXPECT_THROW(write_token_file(path, std::vector<int32_t>{-1}, 10), DataError);
  EXPECT_THROW(write_token_file(path, std::vector<int32_t>{}, 0), DataError);
  EXPECT_EQ(read_all_tokens(TokenFile(path)), (std::vector<int32_t>{1, 2}));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DataTokenFile, MissingFileNamesThePath) {
  TempDir dir;
  const std::string message = open_error(dir.file("absent.tok"));
  expect_contains(message, dir.file("absent.tok"));
  expect_contains(message, "cannot open");
}

TEST(DataTokenFile, TruncatedFileReportsExpectedAndActualSize) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>(100, 7), 32000);
  std::filesystem::resize_file(path, 32 + 150);
  const std::string message = open_error(path);
  expect_contains(message, path);
  expect_contains(message, "232 bytes");  // 32 + 100 * 2
  expect_contains(message, "the file has 182 bytes");
}

TEST(DataTokenFile, TrailingBytesAreCorruption) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>(4, 7), 32000);
  std::filesystem::resize_file(path, 32 + 8 + 2);
  expect_contains(open_error(path), "truncated or corrupt");
}

TEST(DataTokenFile, FileShorterThanTheHeader) {
  TempDir dir;
  expect_contains(open_error(dir.write("short.tok", "PLDRTOK")), "too short for the 32-byte header");
  expect_contains(open_error(dir.write("empty.tok", "")), "too short");
}

TEST(DataTokenFile, WrongMagic) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>{1}, 10);
  std::string bytes = read_all(path);
  bytes[0] = 'X';
  dir.write("t.tok", bytes);
  const std::string message = open_error(path);
  expect_contains(message, path);
  expect_contains(message, "wrong magic");
}

TEST(DataTokenFile, UnknownVersionAndWidth) {
  TempDir dir;
  const std::string path = dir.file("t.tok");
  write_token_file(path, std::vector<int32_t>{1}, 10);
  std::string bytes = read_all(path);

  std::string bad_version = bytes;
  bad_version[8] = 2;
  expect_contains(open_error(dir.write("v.tok", bad_version)), "format version 2");

  std::string bad_width = bytes;
  bad_width[24] = 8;
  expect_contains(open_error(dir.write("w.tok", bad_width)), "token width 8 bits");

  std::string huge_vocab = bytes;
  huge_vocab[14] = 1;  // vocab 65536 + 10 in a 16-bit file
  expect_contains(open_error(dir.write("u.tok", huge_vocab)), "does not fit 16-bit tokens");

  std::string huge_count = bytes;
  huge_count[23] = '\x7f';
  expect_contains(open_error(dir.write("c.tok", huge_count)), "truncated or corrupt");
}

TEST(DataTokenFile, FolderIsNotATokenFile) {
  TempDir dir;
  expect_contains(open_error(dir.file("")), "not a regular file");
}

}  // namespace
}  // namespace pldr::data
