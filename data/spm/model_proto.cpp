// parse_model_proto: a protobuf wire-format reader for the few messages of a .model file.
// Wire format (protobuf.dev/programming-guides/encoding): each field is a varint key
// (field number << 3 | wire type) followed by a varint (0), 8 bytes (1), a varint length and
// that many bytes (2) or 4 bytes (5). Groups (3, 4) are deprecated and not in this schema.
#include "data/spm/model_proto.h"

#include <cstring>

#include "data/error.h"

namespace pldr::data::spm {
namespace {

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  int wire_type = 0;
  uint64_t varint = 0;     // kVarint
  uint32_t fixed32 = 0;    // kFixed32
  std::string_view bytes;  // kLengthDelimited
};

// Reads the fields of one message in order; `what` names the message in errors.
class WireReader {
 public:
  WireReader(std::string_view bytes, const char* what) : rest_(bytes), what_(what) {}

  bool next(Field* field) {
    if (rest_.empty()) return false;
    const uint64_t key = varint("field key");
    field->number = static_cast<uint32_t>(key >> 3);
    field->wire_type = static_cast<int>(key & 7);
    if (field->number == 0 || (key >> 3) > 0x1FFFFFFF) fail("field number out of range");
    switch (field->wire_type) {
      case kVarint: field->varint = varint("varint field"); break;
      case kFixed64: take(8, "64-bit field"); break;
      case kFixed32: std::memcpy(&field->fixed32, take(4, "32-bit field").data(), 4); break;
      case kLengthDelimited: {
        const uint64_t length = varint("length");
        if (length > rest_.size()) fail("field " + std::to_string(field->number) + " runs past the end");
        field->bytes = take(static_cast<size_t>(length), "bytes field");
        break;
      }
      default: fail("field " + std::to_string(field->number) + " has wire type " + std::to_string(field->wire_type));
    }
    return true;
  }

 private:
  uint64_t varint(const char* what) {
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (rest_.empty()) fail(std::string("truncated ") + what);
      const auto byte = static_cast<unsigned char>(rest_.front());
      rest_.remove_prefix(1);
      if (shift < 64) value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail(std::string(what) + " is a varint longer than 10 bytes");
  }

  std::string_view take(size_t n, const char* what) {
    if (n > rest_.size()) fail(std::string("truncated ") + what);
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }

  [[noreturn]] void fail(const std::string& problem) const { throw DataError(std::string(what_) + ": " + problem); }

  std::string_view rest_;
  const char* what_;
};

// A field written with another wire type than the schema's is an unknown field to protobuf: skipped.
bool has_type(const Field& f, WireType type) { return f.wire_type == type; }

float float_of(const Field& f) {
  float value;
  std::memcpy(&value, &f.fixed32, sizeof value);  // little-endian IEEE 754 on the wire and here
  return value;
}

// proto2 keeps an enum value it does not know among the unknown fields: the field keeps its value.
void parse_piece(std::string_view bytes, Piece* piece) {
  WireReader r(bytes, "pieces");
  for (Field f; r.next(&f);) {
    if (f.number == 1 && has_type(f, kLengthDelimited)) piece->text = f.bytes;
    if (f.number == 2 && has_type(f, kFixed32)) piece->score = float_of(f);
    if (f.number == 3 && has_type(f, kVarint) && f.varint >= 1 && f.varint <= 6)
      piece->type = static_cast<PieceType>(f.varint);
  }
}

void parse_trainer_spec(std::string_view bytes, TrainerSpec* spec) {
  WireReader r(bytes, "trainer_spec");
  for (Field f; r.next(&f);) {
    if (has_type(f, kVarint)) {
      if (f.number == 3 && f.varint >= 1 && f.varint <= 4) spec->model_type = static_cast<ModelType>(f.varint);
      if (f.number == 24) spec->treat_whitespace_as_suffix = f.varint != 0;
      if (f.number == 35) spec->byte_fallback = f.varint != 0;
    } else if (has_type(f, kLengthDelimited)) {
      if (f.number == 44) spec->unk_surface = std::string(f.bytes);
      if (f.number == 45) spec->unk_piece = f.bytes;
      if (f.number == 46) spec->bos_piece = f.bytes;
      if (f.number == 47) spec->eos_piece = f.bytes;
      if (f.number == 48) spec->pad_piece = f.bytes;
    }
  }
}

void parse_normalizer_spec(std::string_view bytes, NormalizerSpec* spec, const char* what) {
  WireReader r(bytes, what);
  for (Field f; r.next(&f);) {
    if (has_type(f, kLengthDelimited)) {
      if (f.number == 1) spec->name = f.bytes;
      if (f.number == 2) spec->precompiled_charsmap = f.bytes;
    } else if (has_type(f, kVarint)) {
      if (f.number == 3) spec->add_dummy_prefix = f.varint != 0;
      if (f.number == 4) spec->remove_extra_whitespaces = f.varint != 0;
      if (f.number == 5) spec->escape_whitespaces = f.varint != 0;
    }
  }
}

}  // namespace

ModelProto parse_model_proto(std::string_view bytes) {
  ModelProto model;
  WireReader r(bytes, "model");
  for (Field f; r.next(&f);) {
    if (!has_type(f, kLengthDelimited)) continue;
    if (f.number == 1) parse_piece(f.bytes, &model.pieces.emplace_back());
    if (f.number == 2) parse_trainer_spec(f.bytes, &model.trainer_spec);
    if (f.number == 3) parse_normalizer_spec(f.bytes, &model.normalizer_spec, "normalizer_spec");
    if (f.number == 5) {
      if (!model.denormalizer_spec) model.denormalizer_spec.emplace();
      parse_normalizer_spec(f.bytes, &*model.denormalizer_spec, "denormalizer_spec");
    }
  }
  return model;
}

}  // namespace pldr::data::spm
