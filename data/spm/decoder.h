// decode_ids: ids back to text as SentencePiece's Decode does (sentencepiece_processor.cc):
// U+2581 becomes a space, the first piece's leading one dropped when the model adds a dummy
// prefix (every leading one when it removes extra whitespace), runs of byte pieces <0xNN>
// reassembled into UTF-8 (each malformed byte as U+FFFD), control pieces as "", the unknown
// piece as the model's unk_surface (" \u2047 " by default).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "data/spm/model_proto.h"
#include "data/spm/vocabulary.h"

namespace pldr::data::spm {

// Ids must be in [0, vocabulary.size()).
std::string decode_ids(const Vocabulary& vocabulary, const ModelProto& model, std::span<const int32_t> ids);

}  // namespace pldr::data::spm
