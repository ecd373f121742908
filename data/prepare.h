// prepare_corpus: text sources -> token files for pretraining. Every document is encoded with
// Tokenizer::encode_document (no BOS, EOS appended) and the documents are concatenated in order.
// Writes <prefix>.train.tok, <prefix>.val.tok and <prefix>.test.tok when there are such splits, and
// last <prefix>.meta.json (corpus_meta.h), so a meta file means its token files are complete.
// Splits of one source follow the reference's train | validation | test index ranges: the test
// documents are the last ones, the validation documents those before them. The training documents
// alone may be shuffled through a seeded shuffle buffer (data/permutation.h), as the reference
// shuffles its training split only.
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
  double test_fraction = 0.0;           // in [0, 1): this fraction, at least one, from the very end
  uint64_t shuffle_buffer = 0;          // documents in the training shuffle buffer; 0 = keep the order
  uint64_t shuffle_seed = 0;
  std::string tokenizer_path;
  std::string output_prefix;  // its folder is created if missing
  unsigned num_threads = 0;   // tokenizing threads; 0 = one per core
  bool show_progress = true;  // on stderr, at most a line a second, from the first second on
};

struct PrepareStats {
  CorpusMeta meta;  // what the meta file holds
  std::string train_path;
  std::string val_path;   // empty without a validation split
  std::string test_path;  // empty without a test split
  std::string meta_path;
};

// DataError on unreadable sources, no documents, a bad split, or a write failure.
PrepareStats prepare_corpus(const PrepareOptions& options);

}  // namespace pldr::data
