// UnigramModel: the most likely segmentation under the unigram language model (SentencePiece's
// unigram_model.cc EncodeOptimized, its default encoder): Viterbi over byte positions with each
// piece's log-probability as its score, user-defined symbols boosted to always win, a character
// no piece covers taken as unknown with the lowest score minus 10, unused pieces skipped.
#pragma once

#include <string_view>

#include "data/spm/piece_trie.h"
#include "data/spm/segment.h"
#include "data/spm/vocabulary.h"

namespace pldr::data::spm {

class UnigramModel {
 public:
  explicit UnigramModel(const Vocabulary& vocabulary);  // must outlive the model

  Segmentation encode(std::string_view normalized) const;

 private:
  const Vocabulary& vocabulary_;
  PieceTrie pieces_;     // normal, user-defined and unused pieces
  float min_score_ = 0;  // over normal pieces
  float max_score_ = 0;
};

}  // namespace pldr::data::spm
