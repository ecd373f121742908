// Processor: a SentencePiece model read by this project, without the SentencePiece library: the
// model file's normalisation, its unigram, BPE, word or character segmentation with byte
// fallback, and decoding,
// giving the library's ids and text (sentencepiece_processor.cc Encode / Decode). Unlike the
// library it does not run a model's self-test samples on load (trained models have none), and it
// refuses pieces containing a NUL byte, which the library would silently cut short.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/spm/bpe.h"
#include "data/spm/model_proto.h"
#include "data/spm/normalizer.h"
#include "data/spm/piece_trie.h"
#include "data/spm/unigram.h"
#include "data/spm/vocabulary.h"

namespace pldr::data::spm {

class Processor {
 public:
  // DataError naming the problem if `model_bytes` is not a model (or breaks the library's rules).
  static std::unique_ptr<Processor> load(std::string_view model_bytes);
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  std::vector<int32_t> encode(std::string_view text) const;
  std::string decode(std::span<const int32_t> ids) const;  // ids in [0, size())

  int32_t size() const { return vocabulary_.size(); }
  const std::string& piece(int32_t id) const { return vocabulary_.piece(id).text; }
  // As the library's unk_id(), bos_id(), eos_id(), pad_id(): -1 when the model has none.
  int32_t unk_id() const;
  int32_t bos_id() const;
  int32_t eos_id() const;
  int32_t pad_id() const;

 private:
  explicit Processor(ModelProto model);

  // Segments to ids: an unknown segment becomes its UTF-8 bytes' pieces with byte fallback, and
  // adjacent unknown segments one unknown id without it.
  std::vector<int32_t> to_ids(const Segmentation& segments) const;

  const ModelProto model_;
  const Vocabulary vocabulary_;
  const PieceTrie user_symbols_;
  const Normalizer normalizer_;
  std::optional<Normalizer> denormalizer_;
  std::optional<UnigramModel> unigram_;
  std::optional<BpeModel> bpe_;
};

}  // namespace pldr::data::spm
