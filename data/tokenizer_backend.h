// TokenizerBackend: what Tokenizer asks of a SentencePiece implementation, the library's
// (SentencePieceProcessor, in builds with it) or this project's reader (data/spm/, in every
// build). Both give the same ids and text; their errors are DataErrors without the file's name.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pldr::data {

class TokenizerBackend {
 public:
  virtual ~TokenizerBackend() = default;
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  virtual std::string decode(std::span<const int32_t> ids) const = 0;  // ids in [0, vocab_size())
  virtual std::string piece(int32_t id) const = 0;                     // id in [0, vocab_size())
  virtual int32_t vocab_size() const = 0;
  virtual int32_t pad_id() const = 0;  // -1 where the model has none, as the ids below
  virtual int32_t unk_id() const = 0;
  virtual int32_t bos_id() const = 0;
  virtual int32_t eos_id() const = 0;
};

// From a serialized model; DataError when the bytes are not one.
std::unique_ptr<TokenizerBackend> make_builtin_backend(std::string_view model_bytes);
#if PLDR_WITH_SENTENCEPIECE_LIBRARY
std::unique_ptr<TokenizerBackend> make_library_backend(std::string_view model_bytes);
#endif

}  // namespace pldr::data
