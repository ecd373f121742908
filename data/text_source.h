// Text sources: the documents of a plain-text or JSON-lines file, in file order.
//   text, paragraphs: a document is a run of non-empty lines; lines that are empty (or only
//                     whitespace) separate documents. Its lines are joined with '\n' (a CRLF
//                     line end counts as '\n').
//   text, whole_file: the whole file is one document (none if the file is empty).
//   jsonl:            one JSON object per line, the document is its string field `field`;
//                     empty lines are skipped.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pldr::data {

enum class TextFormat { text, jsonl };
enum class TextSplit { paragraphs, whole_file };

struct TextSource {
  std::string path;
  TextFormat format = TextFormat::text;
  TextSplit split = TextSplit::paragraphs;  // text only
  std::string field = "text";               // jsonl only
};

// Calls `on_document` with each document in order, streaming through the file. DataError if the
// file cannot be read, or (jsonl) on a line that is not JSON, not an object, or lacks a string
// `field`; the message names the file and the line number.
void for_each_document(const TextSource& source, const std::function<void(std::string&&)>& on_document);

std::vector<std::string> read_documents(const TextSource& source);

// Names as written in configurations: "text" / "jsonl", "paragraphs" / "whole_file".
// DataError naming the accepted values otherwise.
TextFormat parse_text_format(const std::string& name);
TextSplit parse_text_split(const std::string& name);

}  // namespace pldr::data
