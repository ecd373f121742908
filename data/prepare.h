// prepare_corpus: text sources -> token files for pretraining. Every document is encoded with
// Tokenizer::encode_document (no BOS, EOS appended) and the documents are concatenated in order.
// Writes <prefix>.train.tok, <prefix>.val.tok when there is a validation split, and last
// <prefix>.meta.json (corpus_meta.h), so a meta file means its token files are complete.
// The tokens are held in memory (4 bytes a token) until they are written.
#pragma once

#include <string>
#include <vector>

#include "data/corpus_meta.h"
#include "data/text_source.h"

namespace pldr::data {

struct PrepareOptions {
  std::vector<TextSource> sources;      // training documents, in order
  std::vector<TextSource> val_sources;  // validation documents; when empty, val_fraction applies
  double val_fraction = 0.0;            // in [0, 1): this fraction of the documents of `sources`,
                                        // at least one, taken from the end, becomes validation
  std::string tokenizer_path;
  std::string output_prefix;  // its folder is created if missing
  unsigned num_threads = 0;   // tokenizing threads; 0 = one per core
  bool show_progress = true;  // on stderr, at most a line a second, from the first second on
};

struct PrepareStats {
  CorpusMeta meta;  // what the meta file holds
  std::string train_path;
  std::string val_path;  // empty without a validation split
  std::string meta_path;
};

// DataError on unreadable sources, no documents, a bad split, or a write failure.
PrepareStats prepare_corpus(const PrepareOptions& options);

}  // namespace pldr::data
