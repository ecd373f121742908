// Corpus metadata: JSON writing and validated reading.
#include "data/corpus_meta.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "data/error.h"
#include "io/atomic_file.h"

namespace pldr::data {
namespace {

constexpr const char* kFormat = "pldr-token-corpus";
constexpr int kVersion = 1;

}  // namespace

void write_corpus_meta(const std::string& path, const CorpusMeta& meta) {
  nlohmann::json splits = nlohmann::json::object();
  for (const auto& [name, s] : meta.splits) {
    splits[name] = {{"file", s.file},
                    {"documents", s.documents},
                    {"tokens", s.tokens},
                    {"text_bytes", s.text_bytes},
                    {"text_chars", s.text_chars}};
  }
  const nlohmann::json json = {
      {"format", kFormat},
      {"version", kVersion},
      {"tokenizer",
       {{"path", meta.tokenizer_path}, {"identity", meta.tokenizer_identity}, {"vocab_size", meta.vocab_size}}},
      {"eos_id", meta.eos_id},
      {"splits", splits},
  };
  io::write_file_atomically(path, json.dump(2) + "\n");
}

CorpusMeta read_corpus_meta(const std::string& path) {
  const std::string where = "corpus meta " + path;
  std::ifstream in(path);
  if (!in) throw DataError(where + ": cannot open file");
  try {
    const nlohmann::json json = nlohmann::json::parse(in);
    if (json.value("format", "") != kFormat) throw DataError(where + ": not a " + std::string(kFormat) + " file");
    const int version = json.at("version").get<int>();
    if (version != kVersion) {
      throw DataError(where + ": format version " + std::to_string(version) + ", this build reads version " +
                      std::to_string(kVersion));
    }
    CorpusMeta meta;
    const nlohmann::json& tokenizer = json.at("tokenizer");
    meta.tokenizer_path = tokenizer.at("path").get<std::string>();
    meta.tokenizer_identity = tokenizer.at("identity").get<std::string>();
    meta.vocab_size = tokenizer.at("vocab_size").get<uint32_t>();
    meta.eos_id = json.at("eos_id").get<int32_t>();
    for (const auto& [name, s] : json.at("splits").items()) {
      meta.splits[name] = {s.at("file").get<std::string>(), s.at("documents").get<uint64_t>(),
                           s.at("tokens").get<uint64_t>(), s.at("text_bytes").get<uint64_t>(),
                           s.at("text_chars").get<uint64_t>()};
    }
    return meta;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(where + ": " + e.what());
  }
}

}  // namespace pldr::data
