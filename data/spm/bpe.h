// BpeModel: SentencePiece's BPE segmentation (bpe_model.cc): the normalized text split into
// characters (a user-defined symbol stays whole and is never merged), then the adjacent pair
// whose concatenation is the highest-scoring piece merged first (leftmost on a tie), until no
// pair is a piece; a merge into an unused piece is undone into its two halves at the end.
#pragma once

#include <string_view>

#include "data/spm/piece_trie.h"
#include "data/spm/segment.h"
#include "data/spm/vocabulary.h"

namespace pldr::data::spm {

class BpeModel {
 public:
  // Both must outlive the model; `user_symbols` holds the user-defined pieces.
  BpeModel(const Vocabulary& vocabulary, const PieceTrie& user_symbols);

  Segmentation encode(std::string_view normalized) const;

 private:
  const Vocabulary& vocabulary_;
  const PieceTrie& user_symbols_;
};

}  // namespace pldr::data::spm
