// Character and word segmentation: split, then look each piece up.
#include "data/spm/char_and_word.h"

#include <algorithm>

#include "data/spm/utf8.h"

namespace pldr::data::spm {

Segmentation encode_characters(std::string_view normalized, const Vocabulary& vocabulary,
                               const PieceTrie& user_symbols) {
  Segmentation out;
  while (!normalized.empty()) {
    const size_t user = user_symbols.longest_prefix(normalized);
    const size_t length = user > 0 ? user : std::min(one_char_len(normalized.front()), normalized.size());
    const std::string_view piece = normalized.substr(0, length);
    out.push_back({piece, vocabulary.piece_to_id(piece)});
    normalized.remove_prefix(length);
  }
  return out;
}

Segmentation encode_words(std::string_view normalized, const Vocabulary& vocabulary) {
  Segmentation out;
  size_t word_start = 0;
  for (size_t at = 0; at < normalized.size();) {
    const size_t length = std::min(one_char_len(normalized[at]), normalized.size() - at);
    if (at > 0 && normalized.substr(at, length) == kSpaceSymbol) {
      const std::string_view word = normalized.substr(word_start, at - word_start);
      out.push_back({word, vocabulary.piece_to_id(word)});
      word_start = at;
    }
    at += length;
  }
  if (word_start < normalized.size()) {
    const std::string_view word = normalized.substr(word_start);
    out.push_back({word, vocabulary.piece_to_id(word)});
  }
  return out;
}

}  // namespace pldr::data::spm
