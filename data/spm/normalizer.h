// Normalizer: SentencePiece's text normalisation (normalizer.cc) as a model file specifies it:
// the precompiled character map (a Darts double-array of rules, longest match first), malformed
// UTF-8 replaced by U+FFFD one byte at a time, user-defined symbols left as they are, spaces
// escaped as U+2581, extra whitespace removed and a dummy prefix (or suffix) added.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "data/spm/double_array.h"
#include "data/spm/model_proto.h"
#include "data/spm/piece_trie.h"

namespace pldr::data::spm {

class Normalizer {
 public:
  // `spec` must outlive the normalizer; `user_symbols` may be null (the denormalizer has none)
  // and otherwise too. DataError if the character map is damaged.
  Normalizer(const NormalizerSpec& spec, bool treat_whitespace_as_suffix, const PieceTrie* user_symbols);

  std::string normalize(std::string_view text) const;

 private:
  // The normalized form of the longest rule or character that starts `text`, and the bytes of
  // `text` it consumes.
  std::pair<std::string_view, size_t> normalize_prefix(std::string_view text) const;

  const NormalizerSpec& spec_;
  bool treat_whitespace_as_suffix_;
  const PieceTrie* user_symbols_;
  std::optional<DoubleArray> rules_;  // from the charsmap: prefix -> offset into normalized_
  std::string_view normalized_;       // NUL-separated replacement strings
};

}  // namespace pldr::data::spm
