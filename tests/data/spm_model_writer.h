// Writing small SentencePiece models in the protobuf wire format, for tests of data/spm/ with
// hand-made (and deliberately broken) model files.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace pldr::data::testing {

inline std::string varint(uint64_t value) {
  std::string out;
  for (; value >= 0x80; value >>= 7) out += static_cast<char>(0x80 | (value & 0x7F));
  return out + static_cast<char>(value);
}
inline std::string varint_field(uint32_t number, uint64_t value) { return varint(number << 3 | 0) + varint(value); }
inline std::string bytes_field(uint32_t number, const std::string& bytes) {
  return varint(number << 3 | 2) + varint(bytes.size()) + bytes;
}
inline std::string float_field(uint32_t number, float value) {
  char raw[4];
  std::memcpy(raw, &value, 4);
  return varint(number << 3 | 5) + std::string(raw, 4);
}

// ModelProto.pieces entry; type as in sentencepiece_model.proto (1 normal, 2 unknown, 3 control,
// 4 user-defined, 5 unused, 6 byte).
inline std::string piece(const std::string& text, float score, int type = 1) {
  return bytes_field(1, bytes_field(1, text) + float_field(2, score) + varint_field(3, type));
}

// A unigram model without normalisation rules: <unk>, <s>, </s>, then "\u2581a", "a", "b",
// "\u2581", "ab", in that order (ids 0-7), followed by `extra` (more fields of ModelProto).
inline std::string small_model(const std::string& extra = "") {
  return piece("<unk>", 0, 2) + piece("<s>", 0, 3) + piece("</s>", 0, 3) +
         piece(
             "\xE2\x96\x81"
             "a",
             -1) +
         piece("a", -2) + piece("b", -2.5f) + piece("\xE2\x96\x81", -3) + piece("ab", -1.5f) +
         bytes_field(2, varint_field(3, 1)) + bytes_field(3, bytes_field(1, "identity")) + extra;
}

}  // namespace pldr::data::testing
