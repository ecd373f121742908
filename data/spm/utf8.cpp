// UTF-8 decoding with SentencePiece's rules (util.cc DecodeUTF8).
#include "data/spm/utf8.h"

#include <cstdint>

namespace pldr::data::spm {
namespace {

bool is_trail(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool is_valid_codepoint(uint32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); }

}  // namespace

bool starts_with_valid_utf8(std::string_view text, size_t* length) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  *length = 1;
  if (s[0] < 0x80) return true;
  if (n >= 2 && (s[0] & 0xE0) == 0xC0) {
    const uint32_t c = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    if (is_trail(s[1]) && c >= 0x80 && is_valid_codepoint(c)) return *length = 2, true;
  } else if (n >= 3 && (s[0] & 0xF0) == 0xE0) {
    const uint32_t c = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if (is_trail(s[1]) && is_trail(s[2]) && c >= 0x800 && is_valid_codepoint(c)) return *length = 3, true;
  } else if (n >= 4 && (s[0] & 0xF8) == 0xF0) {
    const uint32_t c = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    if (is_trail(s[1]) && is_trail(s[2]) && is_trail(s[3]) && c >= 0x10000 && is_valid_codepoint(c))
      return *length = 4, true;
  }
  return false;
}

}  // namespace pldr::data::spm
