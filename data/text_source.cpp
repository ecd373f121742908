// Text sources: splitting plain text at empty lines, and reading JSON lines.
#include "data/text_source.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/error.h"

namespace pldr::data {
namespace {

std::ifstream open_text(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw DataError("text source " + path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("text source " + path + ": cannot open file");
  return in;
}

void check_read(const std::ifstream& in, const std::string& path) {
  if (in.bad()) throw DataError("text source " + path + ": read failed");
}

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r\f\v") == std::string::npos; }

void read_paragraphs(const std::string& path, const std::function<void(std::string&&)>& on_document) {
  std::ifstream in = open_text(path);
  std::string line;
  std::string document;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF line ends
    if (is_blank(line)) {
      if (!document.empty()) on_document(std::move(document));
      document.clear();
      continue;
    }
    if (!document.empty()) document += '\n';
    document += line;
  }
  check_read(in, path);
  if (!document.empty()) on_document(std::move(document));
}

void read_whole_file(const std::string& path, const std::function<void(std::string&&)>& on_document) {
  std::ifstream in = open_text(path);
  std::string document((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_read(in, path);
  if (!document.empty()) on_document(std::move(document));
}

void read_jsonl(const std::string& path, const std::string& field,
                const std::function<void(std::string&&)>& on_document) {
  std::ifstream in = open_text(path);
  std::string line;
  for (long line_number = 1; std::getline(in, line); ++line_number) {
    if (is_blank(line)) continue;
    const std::string where = "text source " + path + " line " + std::to_string(line_number);
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw DataError(where + ": not valid JSON (" + e.what() + ")");
    }
    if (!record.is_object()) throw DataError(where + ": expected a JSON object");
    const auto it = record.find(field);
    if (it == record.end()) throw DataError(where + ": missing field \"" + field + "\"");
    if (!it->is_string()) throw DataError(where + ": field \"" + field + "\" is not a string");
    on_document(it->get<std::string>());
  }
  check_read(in, path);
}

}  // namespace

void for_each_document(const TextSource& source, const std::function<void(std::string&&)>& on_document) {
  if (source.format == TextFormat::jsonl) {
    read_jsonl(source.path, source.field, on_document);
  } else if (source.split == TextSplit::whole_file) {
    read_whole_file(source.path, on_document);
  } else {
    read_paragraphs(source.path, on_document);
  }
}

std::vector<std::string> read_documents(const TextSource& source) {
  std::vector<std::string> documents;
  for_each_document(source, [&](std::string&& document) { documents.push_back(std::move(document)); });
  return documents;
}

TextFormat parse_text_format(const std::string& name) {
  if (name == "text") return TextFormat::text;
  if (name == "jsonl") return TextFormat::jsonl;
  throw DataError("text format \"" + name + "\": expected \"text\" or \"jsonl\"");
}

TextSplit parse_text_split(const std::string& name) {
  if (name == "paragraphs") return TextSplit::paragraphs;
  if (name == "whole_file") return TextSplit::whole_file;
  throw DataError("text split \"" + name + "\": expected \"paragraphs\" or \"whole_file\"");
}

}  // namespace pldr::data
