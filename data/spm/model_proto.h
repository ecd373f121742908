// ModelProto: the fields of a SentencePiece .model file (sentencepiece_model.proto, proto2) that
// encoding and decoding need, read from the protobuf wire format without libprotobuf. Fields the
// file leaves out keep the .proto's defaults; other fields are skipped, as protobuf does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pldr::data::spm {

enum class PieceType { normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };
enum class ModelType { unigram = 1, bpe = 2, word = 3, character = 4 };

struct Piece {
  std::string text;  // "piece": the surface, spaces as U+2581; bytes as <0xNN>
  float score = 0;
  PieceType type = PieceType::normal;
};

struct TrainerSpec {
  ModelType model_type = ModelType::unigram;
  bool treat_whitespace_as_suffix = false;
  bool byte_fallback = false;
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
  std::optional<std::string> unk_surface;  // what an unknown piece decodes to; " \u2047 " unless set
};

struct NormalizerSpec {
  std::string name;
  std::string precompiled_charsmap;  // <uint32 trie bytes><Darts double array><NUL-ended strings>
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

struct ModelProto {
  std::vector<Piece> pieces;  // the id of a piece is its index
  TrainerSpec trainer_spec;
  NormalizerSpec normalizer_spec;
  std::optional<NormalizerSpec> denormalizer_spec;
};

// Parses a serialized ModelProto; DataError naming the problem (truncated field, bad wire type)
// when the bytes are not one. Repeated messages (trainer_spec twice) merge as protobuf merges them.
ModelProto parse_model_proto(std::string_view bytes);

}  // namespace pldr::data::spm
