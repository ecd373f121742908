// decode_ids: the library's loop over pieces, byte runs flushed before each other piece.
#include "data/spm/decoder.h"

#include "data/spm/utf8.h"

namespace pldr::data::spm {
namespace {

// Appends a run of byte pieces' bytes: each well-formed character as it is, each other byte as U+FFFD.
void append_bytes(std::string_view bytes, std::string* text) {
  while (!bytes.empty()) {
    size_t length = 0;
    if (starts_with_valid_utf8(bytes, &length)) {
      text->append(bytes.substr(0, length));
    } else {
      text->append(kReplacementChar);
    }
    bytes.remove_prefix(length);
  }
}

void append_replacing_spaces(std::string_view piece, std::string* text) {
  for (size_t at; (at = piece.find(kSpaceSymbol)) != std::string_view::npos;) {
    text->append(piece.substr(0, at));
    *text += ' ';
    piece.remove_prefix(at + kSpaceSymbol.size());
  }
  text->append(piece);
}

}  // namespace

std::string decode_ids(const Vocabulary& vocabulary, const ModelProto& model, std::span<const int32_t> ids) {
  const NormalizerSpec& spec = model.normalizer_spec;
  const std::string unk_surface = model.trainer_spec.unk_surface.value_or(" \xE2\x81\x87 ");
  std::string text, bytes;
  bool at_start = true;          // a leading U+2581 may still be dropped
  bool dropped_leading = false;  // the previous piece had its leading U+2581 dropped
  for (const int32_t given : ids) {
    const std::string& piece = vocabulary.piece(given).text;
    const int32_t id = vocabulary.piece_to_id(piece);  // the library decodes pieces, looked up again
    if (vocabulary.type(id) == PieceType::byte) {
      bytes += static_cast<char>(byte_of_piece(piece));
      continue;
    }
    append_bytes(bytes, &text);
    bytes.clear();
    if (dropped_leading || !text.empty()) at_start = false;
    dropped_leading = false;
    const PieceType type = vocabulary.type(id);
    if (type == PieceType::control) continue;
    if (type == PieceType::unknown) {
      text += unk_surface;
      continue;
    }
    std::string_view rest = piece;
    if (at_start && (spec.add_dummy_prefix || spec.remove_extra_whitespaces) && rest.starts_with(kSpaceSymbol)) {
      rest.remove_prefix(kSpaceSymbol.size());
      // Removing extra whitespace drops every leading U+2581, so the start is not yet passed.
      dropped_leading = !spec.remove_extra_whitespaces;
    }
    append_replacing_spaces(rest, &text);
  }
  append_bytes(bytes, &text);
  return text;
}

}  // namespace pldr::data::spm
