// Tests of the text sources: paragraph and whole-file text, JSON lines, and their errors.
#include "data/text_source.h"

#include <gtest/gtest.h>

#include "data/error.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::TempDir;
using Documents = std::vector<std::string>;

// The DataError message of reading `source`, or "" if it reads.
std::string error_of(const TextSource& source) {
  try {
    read_documents(source);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(DataTextSource, ParagraphsAreSplitAtEmptyLines) {
  TempDir dir;
  const std::string path = dir.write("t.txt", "\n\na\nb\n\n\n\nc\n  \t\nd\n");
  EXPECT_EQ(read_documents({.path = path}), (Documents{"a\nb", "c", "d"}));
}

TEST(DataTextSource, LastParagraphNeedsNoNewline) {
  TempDir dir;
  EXPECT_EQ(read_documents({.path = dir.write("t.txt", "one\n\ntwo")}), (Documents{"one", "two"}));
}

TEST(DataTextSource, CrlfLineEndsAreNewlines) {
  TempDir dir;
  EXPECT_EQ(read_documents({.path = dir.write("t.txt", "a\r\nb\r\n\r\nc\r\n")}), (Documents{"a\nb", "c"}));
}

TEST(DataTextSource, WholeFileIsOneDocument) {
  TempDir dir;
  const std::string text = "a\n\nb\n";
  EXPECT_EQ(read_documents({.path = dir.write("t.txt", text), .split = TextSplit::whole_file}), Documents{text});
  EXPECT_TRUE(read_documents({.path = dir.write("e.txt", ""), .split = TextSplit::whole_file}).empty());
}

TEST(DataTextSource, TinyShakespeareHasOneDocumentPerSpeech) {
  // 7222 and the first document: Python, splitting at lines that are empty after str.strip().
  const Documents docs = read_documents({.path = std::string(PLDR_DATA_DIR) + "/corpus/tinyshakespeare.txt"});
  ASSERT_EQ(docs.size(), 7222u);
  EXPECT_EQ(docs.front(), "First Citizen:\nBefore we proceed any further, hear me speak.");
}

TEST(DataTextSource, JsonLinesReadTheNamedField) {
  TempDir dir;
  const std::string path = dir.write("d.jsonl",
                                     "{\"text\": \"first\", \"id\": 1}\n"
                                     "\n"
                                     "{\"id\": 2, \"text\": \"line\\nbreak \\u00e9\"}\n"
                                     "{\"text\": \"\", \"content\": \"other\"}");
  EXPECT_EQ(read_documents({.path = path, .format = TextFormat::jsonl}),
            (Documents{"first", "line\nbreak \xC3\xA9", ""}));
}

TEST(DataTextSource, JsonLinesWithAnotherFieldName) {
  TempDir dir;
  const std::string path = dir.write("d.jsonl", "{\"content\": \"a\"}\n{\"content\": \"b\"}\n");
  EXPECT_EQ(read_documents({.path = path, .format = TextFormat::jsonl, .field = "content"}), (Documents{"a", "b"}));
}

TEST(DataTextSource, DocumentsStreamInOrder) {
  TempDir dir;
  Documents seen;
  for_each_document({.path = dir.write("t.txt", "x\n\ny\n")}, [&](std::string&& d) { seen.push_back(d); });
  EXPECT_EQ(seen, (Documents{"x", "y"}));
}

TEST(DataTextSource, MissingFileNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("absent.txt");
  for (const TextFormat format : {TextFormat::text, TextFormat::jsonl}) {
    const std::string message = error_of({.path = path, .format = format});
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("cannot open"), std::string::npos) << message;
  }
}

TEST(DataTextSource, FolderIsNotAFile) {
  TempDir dir;
  const std::string message = error_of({.path = dir.file("")});
  EXPECT_NE(message.find("is a folder"), std::string::npos) << message;
}

TEST(DataTextSource, BadJsonNamesTheFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("d.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"unterminated}\n");
  const std::string message = error_of({.path = path, .format = TextFormat::jsonl});
  EXPECT_NE(message.find(path + " line 2"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST(DataTextSource, MissingFieldNamesTheFileLineAndField) {
  TempDir dir;
  const std::string path = dir.write("d.jsonl", "{\"text\": \"a\"}\n\n{\"body\": \"b\"}\n");
  const std::string message = error_of({.path = path, .format = TextFormat::jsonl});
  EXPECT_NE(message.find(path + " line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("missing field \"text\""), std::string::npos) << message;
}

TEST(DataTextSource, FieldMustBeAString) {
  TempDir dir;
  const std::string message = error_of({.path = dir.write("d.jsonl", "{\"text\": 5}\n"), .format = TextFormat::jsonl});
  EXPECT_NE(message.find("line 1: field \"text\" is not a string"), std::string::npos) << message;
}

TEST(DataTextSource, LineMustBeAnObject) {
  TempDir dir;
  const std::string message = error_of({.path = dir.write("d.jsonl", "[\"text\"]\n"), .format = TextFormat::jsonl});
  EXPECT_NE(message.find("line 1: expected a JSON object"), std::string::npos) << message;
}

TEST(DataTextSource, ParsesFormatAndSplitNames) {
  EXPECT_EQ(parse_text_format("text"), TextFormat::text);
  EXPECT_EQ(parse_text_format("jsonl"), TextFormat::jsonl);
  EXPECT_EQ(parse_text_split("paragraphs"), TextSplit::paragraphs);
  EXPECT_EQ(parse_text_split("whole_file"), TextSplit::whole_file);
  EXPECT_THROW(parse_text_format("csv"), DataError);
  EXPECT_THROW(parse_text_split("lines"), DataError);
}

}  // namespace
}  // namespace pldr::data
