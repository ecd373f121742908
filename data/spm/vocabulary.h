// Vocabulary: a model's pieces with their lookups, checked as SentencePiece checks them on load
// (model_interface.cc InitializePieces): no empty or repeated piece, exactly one unknown piece,
// byte pieces only with byte_fallback and then all 256 of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "data/spm/model_proto.h"

namespace pldr::data::spm {

class Vocabulary {
 public:
  // Keeps a reference to `model`, which must outlive it. DataError if the pieces break a rule.
  explicit Vocabulary(const ModelProto& model);
  Vocabulary(const Vocabulary&) = delete;
  Vocabulary& operator=(const Vocabulary&) = delete;

  int32_t size() const { return static_cast<int32_t>(model_.pieces.size()); }
  const Piece& piece(int32_t id) const { return model_.pieces[id]; }
  PieceType type(int32_t id) const { return model_.pieces[id].type; }
  int32_t unknown_id() const { return unknown_id_; }  // the piece of type unknown

  // The id of a piece's text: control, unknown and byte pieces first, then the others; the
  // unknown id when there is none.
  int32_t piece_to_id(std::string_view text) const;
  // Among normal, user-defined and unused pieces only (what segmentation may produce); -1 if none.
  int32_t find_segment_piece(std::string_view text) const;

  // The library's unk_id(), bos_id(), eos_id(), pad_id(): the id of the trainer spec's piece
  // text if that piece has the expected type (unknown; control for the others), else -1.
  int32_t special_id(std::string_view piece_text, PieceType expected) const;

 private:
  const ModelProto& model_;
  std::unordered_map<std::string_view, int32_t> reserved_;  // control, unknown, byte
  std::unordered_map<std::string_view, int32_t> pieces_;    // normal, user-defined, unused
  int32_t unknown_id_ = -1;
};

// "<0x41>" for byte 0x41, and back (-1 for a text that is not one of the 256).
std::string byte_piece(unsigned char byte);
int byte_of_piece(std::string_view text);

}  // namespace pldr::data::spm
