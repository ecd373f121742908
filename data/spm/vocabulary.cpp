// Vocabulary: lookups and the load-time checks of a model's pieces.
#include "data/spm/vocabulary.h"

#include <bitset>
#include <cstdio>

#include "data/error.h"

namespace pldr::data::spm {

std::string byte_piece(unsigned char byte) {
  char text[8];
  std::snprintf(text, sizeof text, "<0x%02X>", byte);
  return text;
}

int byte_of_piece(std::string_view text) {
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
  const int high = hex(text[3]), low = hex(text[4]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

Vocabulary::Vocabulary(const ModelProto& model) : model_(model) {
  if (model.pieces.empty()) throw DataError("the model has no pieces");
  if (model.pieces.size() > 0x7FFFFFFF) throw DataError("the model has too many pieces");
  std::bitset<256> bytes_found;
  for (int32_t id = 0; id < size(); ++id) {
    const Piece& p = model.pieces[id];
    if (p.text.empty()) throw DataError("piece " + std::to_string(id) + " is empty");
    // The library keys its tries by C strings: a NUL byte would cut a piece short.
    if (p.text.find('\0') != std::string::npos) throw DataError("piece " + std::to_string(id) + " contains a NUL byte");
    const bool segment =
        p.type == PieceType::normal || p.type == PieceType::user_defined || p.type == PieceType::unused;
    if (!(segment ? pieces_ : reserved_).emplace(p.text, id).second)
      throw DataError("piece " + std::to_string(id) + " '" + p.text + "' is already defined");
    if (p.type == PieceType::unknown) {
      if (unknown_id_ >= 0)
        throw DataError("unknown piece defined twice (ids " + std::to_string(unknown_id_) + " and " +
                        std::to_string(id) + ")");
      unknown_id_ = id;
    }
    if (p.type == PieceType::byte) {
      if (!model.trainer_spec.byte_fallback)
        throw DataError("byte piece " + p.text + " although byte_fallback is false");
      const int byte = byte_of_piece(p.text);
      if (byte < 0) throw DataError("byte piece '" + p.text + "' is not <0xNN>");
      bytes_found.set(byte);
    }
  }
  if (unknown_id_ < 0) throw DataError("the model has no unknown piece");
  if (model.trainer_spec.byte_fallback && !bytes_found.all())
    throw DataError("byte_fallback is true but the model has " + std::to_string(bytes_found.count()) +
                    " of the 256 byte pieces");
}

int32_t Vocabulary::piece_to_id(std::string_view text) const {
  if (const auto it = reserved_.find(text); it != reserved_.end()) return it->second;
  if (const auto it = pieces_.find(text); it != pieces_.end()) return it->second;
  return unknown_id_;
}

int32_t Vocabulary::find_segment_piece(std::string_view text) const {
  const auto it = pieces_.find(text);
  return it == pieces_.end() ? -1 : it->second;
}

int32_t Vocabulary::special_id(std::string_view piece_text, PieceType expected) const {
  // The library looks the name up as a C string.
  const int32_t id = piece_to_id(piece_text.substr(0, piece_text.find('\0')));
  return type(id) == expected ? id : -1;
}

}  // namespace pldr::data::spm
