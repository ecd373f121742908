// Normalizer: the rules of SentencePiece's Normalizer::Normalize, step by step.
#include "data/spm/normalizer.h"

#include <cstring>

#include "data/error.h"
#include "data/spm/utf8.h"

namespace pldr::data::spm {

Normalizer::Normalizer(const NormalizerSpec& spec, bool treat_whitespace_as_suffix, const PieceTrie* user_symbols)
    : spec_(spec), treat_whitespace_as_suffix_(treat_whitespace_as_suffix), user_symbols_(user_symbols) {
  const std::string_view map = spec.precompiled_charsmap;
  if (map.empty()) return;
  // <uint32 little-endian: bytes of the trie><trie><replacement strings>
  const auto* b = reinterpret_cast<const unsigned char*>(map.data());
  if (map.size() <= 4) throw DataError("precompiled_charsmap of " + std::to_string(map.size()) + " bytes is broken");
  const uint32_t trie_bytes = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  if (trie_bytes > map.size() - 4)
    throw DataError("precompiled_charsmap's trie (" + std::to_string(trie_bytes) + " bytes) exceeds the map");
  rules_.emplace(map.substr(4, trie_bytes));
  normalized_ = map.substr(4 + trie_bytes);
}

std::pair<std::string_view, size_t> Normalizer::normalize_prefix(std::string_view text) const {
  if (user_symbols_ != nullptr) {
    if (const size_t length = user_symbols_->longest_prefix(text); length > 0) return {text.substr(0, length), length};
  }
  if (rules_) {
    if (const DoubleArray::Match m = rules_->longest_prefix(text); m.length > 0) {
      if (m.value >= normalized_.size())
        throw DataError("precompiled_charsmap rule points past its strings (" + std::to_string(m.value) + ")");
      // A replacement ends at its NUL; the map is a std::string, so its own NUL ends the last one.
      const std::string_view rest = normalized_.substr(m.value);
      return {rest.substr(0, std::strlen(rest.data())), m.length};
    }
  }
  size_t length = 0;
  if (!starts_with_valid_utf8(text, &length)) return {kReplacementChar, 1};
  return {text.substr(0, length), length};
}

std::string Normalizer::normalize(std::string_view text) const {
  std::string out;
  if (text.empty()) return out;
  if (spec_.remove_extra_whitespaces) {  // leading characters that normalize to one space
    while (!text.empty()) {
      const auto [normalized, consumed] = normalize_prefix(text);
      if (normalized != " ") break;
      text.remove_prefix(consumed);
    }
  }
  if (text.empty()) return out;

  out.reserve(text.size() * 3);
  const std::string_view space = spec_.escape_whitespaces ? kSpaceSymbol : " ";
  if (!treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) out += space;

  bool previous_was_space = spec_.remove_extra_whitespaces;
  while (!text.empty()) {
    auto [normalized, consumed] = normalize_prefix(text);
    // A run of spaces collapses to one, across rules too.
    while (previous_was_space && !normalized.empty() && normalized.front() == ' ') normalized.remove_prefix(1);
    if (!normalized.empty()) {
      for (const char c : normalized) {
        if (c == ' ' && spec_.escape_whitespaces) {
          out += kSpaceSymbol;
        } else {
          out += c;
        }
      }
      previous_was_space = normalized.back() == ' ';
    }
    text.remove_prefix(consumed);
    if (!spec_.remove_extra_whitespaces) previous_was_space = false;
  }

  if (spec_.remove_extra_whitespaces) {
    while (out.size() >= space.size() && out.compare(out.size() - space.size(), space.size(), space) == 0)
      out.resize(out.size() - space.size());
  }
  if (treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) out += space;
  return out;
}

}  // namespace pldr::data::spm
