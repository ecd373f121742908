// The two simplest SentencePiece models (char_model.cc, word_model.cc): every character is a
// piece (a user-defined symbol stays whole), or every word (a run starting at U+2581) is a piece;
// text the vocabulary lacks gets the unknown id.
#pragma once

#include <string_view>

#include "data/spm/piece_trie.h"
#include "data/spm/segment.h"
#include "data/spm/vocabulary.h"

namespace pldr::data::spm {

Segmentation encode_characters(std::string_view normalized, const Vocabulary& vocabulary,
                               const PieceTrie& user_symbols);

// As the library's word model: split before every U+2581 whatever the trainer spec says about
// whitespace (SplitIntoWords with its defaults).
Segmentation encode_words(std::string_view normalized, const Vocabulary& vocabulary);

}  // namespace pldr::data::spm
