// Processor: text -> normalized text -> segments -> ids, and ids -> text.
#include "data/spm/processor.h"

#include "data/error.h"
#include "data/spm/char_and_word.h"
#include "data/spm/decoder.h"

namespace pldr::data::spm {
namespace {

PieceTrie user_defined_symbols(const Vocabulary& v) {
  std::vector<std::pair<std::string_view, int32_t>> symbols;
  for (int32_t id = 0; id < v.size(); ++id)
    if (v.type(id) == PieceType::user_defined) symbols.emplace_back(v.piece(id).text, id);
  return PieceTrie(std::move(symbols));
}

// The trainer spec's name of a special piece; the library's default when it is empty.
std::string_view or_default(const std::string& name, std::string_view fallback) {
  return name.empty() ? fallback : name;
}

}  // namespace

std::unique_ptr<Processor> Processor::load(std::string_view model_bytes) {
  return std::unique_ptr<Processor>(new Processor(parse_model_proto(model_bytes)));
}

Processor::Processor(ModelProto model)
    : model_(std::move(model)),
      vocabulary_(model_),
      user_symbols_(user_defined_symbols(vocabulary_)),
      normalizer_(model_.normalizer_spec, model_.trainer_spec.treat_whitespace_as_suffix,
                  user_symbols_.empty() ? nullptr : &user_symbols_) {
  // As the library: a denormalizer only when the spec has rules.
  if (model_.denormalizer_spec && !model_.denormalizer_spec->precompiled_charsmap.empty())
    denormalizer_.emplace(*model_.denormalizer_spec, false, nullptr);
  if (model_.trainer_spec.model_type == ModelType::unigram) unigram_.emplace(vocabulary_);
  if (model_.trainer_spec.model_type == ModelType::bpe) bpe_.emplace(vocabulary_, user_symbols_);
}

std::vector<int32_t> Processor::encode(std::string_view text) const {
  const std::string normalized = normalizer_.normalize(text);
  if (normalized.empty()) return {};
  switch (model_.trainer_spec.model_type) {
    case ModelType::unigram: return to_ids(unigram_->encode(normalized));
    case ModelType::bpe: return to_ids(bpe_->encode(normalized));
    case ModelType::word: return to_ids(encode_words(normalized, vocabulary_));
    case ModelType::character: return to_ids(encode_characters(normalized, vocabulary_, user_symbols_));
  }
  throw DataError("unknown model type");  // parse_model_proto keeps only the four
}

std::vector<int32_t> Processor::to_ids(const Segmentation& segments) const {
  std::vector<int32_t> ids;
  ids.reserve(segments.size());
  bool previous_unknown = false;
  for (const Segment& s : segments) {
    const PieceType type = vocabulary_.type(s.id);
    // A control piece covers no text: the library then finds text left over and fails.
    if (type == PieceType::control)
      throw DataError("segmentation produced the control piece '" + vocabulary_.piece(s.id).text + "'");
    const bool unknown = type == PieceType::unknown;
    if (unknown && model_.trainer_spec.byte_fallback) {
      for (const char byte : s.text)
        ids.push_back(vocabulary_.piece_to_id(byte_piece(static_cast<unsigned char>(byte))));
    } else if (!(unknown && previous_unknown)) {
      ids.push_back(s.id);
    }
    previous_unknown = unknown;
  }
  return ids;
}

std::string Processor::decode(std::span<const int32_t> ids) const {
  std::string text = decode_ids(vocabulary_, model_, ids);
  return denormalizer_ ? denormalizer_->normalize(text) : text;
}

int32_t Processor::unk_id() const {
  return vocabulary_.special_id(or_default(model_.trainer_spec.unk_piece, "<unk>"), PieceType::unknown);
}
int32_t Processor::bos_id() const {
  return vocabulary_.special_id(or_default(model_.trainer_spec.bos_piece, "<s>"), PieceType::control);
}
int32_t Processor::eos_id() const {
  return vocabulary_.special_id(or_default(model_.trainer_spec.eos_piece, "</s>"), PieceType::control);
}
int32_t Processor::pad_id() const {
  return vocabulary_.special_id(or_default(model_.trainer_spec.pad_piece, "<pad>"), PieceType::control);
}

}  // namespace pldr::data::spm
