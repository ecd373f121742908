// The tokenizer backend of builds with SentencePiece: the library's SentencePieceProcessor.
#include <sentencepiece_processor.h>

#include "data/error.h"
#include "data/tokenizer_backend.h"

namespace pldr::data {
namespace {

class LibraryBackend final : public TokenizerBackend {
 public:
  explicit LibraryBackend(std::string_view model_bytes) {
    const auto status = processor_.LoadFromSerializedProto(model_bytes);
    if (!status.ok()) throw DataError(status.ToString());
  }
  std::vector<int32_t> encode(std::string_view text) const override {
    std::vector<int> ids;
    const auto status = processor_.Encode(text, &ids);
    if (!status.ok()) throw DataError("encode failed: " + status.ToString());
    return std::vector<int32_t>(ids.begin(), ids.end());
  }
  std::string decode(std::span<const int32_t> ids) const override {
    std::string text;
    const auto status = processor_.Decode(std::vector<int>(ids.begin(), ids.end()), &text);
    if (!status.ok()) throw DataError("decode failed: " + status.ToString());
    return text;
  }
  std::string piece(int32_t id) const override { return processor_.IdToPiece(id); }
  int32_t vocab_size() const override { return processor_.GetPieceSize(); }
  int32_t pad_id() const override { return processor_.pad_id(); }
  int32_t unk_id() const override { return processor_.unk_id(); }
  int32_t bos_id() const override { return processor_.bos_id(); }
  int32_t eos_id() const override { return processor_.eos_id(); }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

std::unique_ptr<TokenizerBackend> make_library_backend(std::string_view model_bytes) {
  return std::make_unique<LibraryBackend>(model_bytes);
}

}  // namespace pldr::data
