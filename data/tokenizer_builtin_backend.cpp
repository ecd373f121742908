// The tokenizer backend of every build: data/spm/'s Processor.
#include "data/spm/processor.h"
#include "data/tokenizer_backend.h"

namespace pldr::data {
namespace {

class BuiltinBackend final : public TokenizerBackend {
 public:
  explicit BuiltinBackend(std::string_view model_bytes) : processor_(spm::Processor::load(model_bytes)) {}
  std::vector<int32_t> encode(std::string_view text) const override { return processor_->encode(text); }
  std::string decode(std::span<const int32_t> ids) const override { return processor_->decode(ids); }
  std::string piece(int32_t id) const override { return processor_->piece(id); }
  int32_t vocab_size() const override { return processor_->size(); }
  int32_t pad_id() const override { return processor_->pad_id(); }
  int32_t unk_id() const override { return processor_->unk_id(); }
  int32_t bos_id() const override { return processor_->bos_id(); }
  int32_t eos_id() const override { return processor_->eos_id(); }

 private:
  std::unique_ptr<spm::Processor> processor_;
};

}  // namespace

std::unique_ptr<TokenizerBackend> make_builtin_backend(std::string_view model_bytes) {
  return std::make_unique<BuiltinBackend>(model_bytes);
}

}  // namespace pldr::data
