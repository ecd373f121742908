// Tokenizer: a SentencePiece model (PLDR-LLM's unigram tokenizer or one trained like it) with the
// encodings PLDR-LLM uses: a prompt is the plain ids (no BOS, no EOS); a pretraining document has
// EOS appended (docs/pldr-llm.md §2).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace pldr::data {

class Tokenizer {
 public:
  // Reads a serialized SentencePiece model; DataError if the file is missing or not a model.
  static Tokenizer load(const std::string& path);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  std::vector<int32_t> encode_prompt(std::string_view text) const;
  std::vector<int32_t> encode_document(std::string_view text) const;  // ids + [eos_id()]
  std::string decode(std::span<const int32_t> ids) const;             // control ids (pad, bos, eos) decode to ""

  int32_t vocab_size() const { return vocab_size_; }
  int32_t pad_id() const { return pad_id_; }
  int32_t unk_id() const { return unk_id_; }
  int32_t bos_id() const { return bos_id_; }
  int32_t eos_id() const { return eos_id_; }
  std::string piece(int32_t id) const;

  // "sentencepiece:v<vocab size>:fnv1a64:<16 hex digits>", the hash over the model file's bytes:
  // a checkpoint records it to tell which tokenizer its token ids belong to.
  const std::string& identity() const { return identity_; }
  const std::string& path() const { return path_; }

 private:
  Tokenizer() = default;

  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  std::string path_;
  std::string identity_;
  int32_t vocab_size_ = 0;
  int32_t pad_id_ = -1;
  int32_t unk_id_ = -1;
  int32_t bos_id_ = -1;
  int32_t eos_id_ = -1;
};

// 64-bit FNV-1a over `bytes`, as used by Tokenizer::identity().
uint64_t fnv1a64(std::string_view bytes);

}  // namespace pldr::data
