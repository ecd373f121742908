// UTF-8 as SentencePiece reads it (its util.h): the length of a character from its first byte,
// and the strict decoding that decides which bytes are replaced by U+FFFD.
#pragma once

#include <cstddef>
#include <string_view>

namespace pldr::data::spm {

inline constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";      // U+2581, a space in a piece
inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Bytes of the character starting with `first`, from its high four bits only (1 for a stray
// continuation byte): what SentencePiece steps by when it walks normalized text.
inline size_t one_char_len(char first) {
  constexpr unsigned char kLength[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLength[static_cast<unsigned char>(first) >> 4];
}

// Whether `text` (not empty) starts with a well-formed character (shortest form, no surrogate,
// at most U+10FFFF) and its length in `length`; 1 when it does not. A literal U+FFFD counts as
// valid, as in SentencePiece's IsValidDecodeUTF8.
bool starts_with_valid_utf8(std::string_view text, size_t* length);

}  // namespace pldr::data::spm
