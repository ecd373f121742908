// Corpus metadata: the JSON sidecar "<prefix>.meta.json" that prepare_corpus writes beside its
// token files. It records the tokenizer the ids belong to and, per split, the counts a trainer
// needs, among them the text size, for bits per byte: loss_nats / ln 2 * tokens / text_bytes.
//
//   {"format": "pldr-token-corpus", "version": 1,
//    "tokenizer": {"path": ..., "identity": ..., "vocab_size": ...}, "eos_id": 3,
//    "splits": {"train": {"file": "x.train.tok", "documents": ..., "tokens": ...,
//                         "text_bytes": ..., "text_chars": ...}, "val": {...}}}
//
// "file" is relative to the folder of the meta file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pldr::data {

struct SplitStats {
  std::string file;  // token file name, relative to the meta file's folder
  uint64_t documents = 0;
  uint64_t tokens = 0;      // EOS included
  uint64_t text_bytes = 0;  // UTF-8 bytes of the documents' text as tokenized
  uint64_t text_chars = 0;  // Unicode code points of the same text
};

struct CorpusMeta {
  std::string tokenizer_path;
  std::string tokenizer_identity;  // Tokenizer::identity()
  uint32_t vocab_size = 0;
  int32_t eos_id = 3;
  std::map<std::string, SplitStats> splits;  // "train", and "val" when there is one
};

void write_corpus_meta(const std::string& path, const CorpusMeta& meta);  // atomically
CorpusMeta read_corpus_meta(const std::string& path);                     // DataError naming the path on any problem

}  // namespace pldr::data
