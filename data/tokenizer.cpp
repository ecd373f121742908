// Tokenizer: loading a SentencePiece model, encoding, decoding, identity.
#include "data/tokenizer.h"

#include <sentencepiece_processor.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "data/error.h"

namespace pldr::data {
namespace {

std::string read_model_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("tokenizer " + path + ": cannot open file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw DataError("tokenizer " + path + ": read failed");
  return std::move(bytes).str();
}

std::string hex64(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

uint64_t fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

Tokenizer Tokenizer::load(const std::string& path) {
  const std::string bytes = read_model_bytes(path);
  if (bytes.empty()) throw DataError("tokenizer " + path + ": file is empty, not a SentencePiece model");
  Tokenizer tok;
  tok.processor_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const auto status = tok.processor_->LoadFromSerializedProto(bytes);
  if (!status.ok()) {
    throw DataError("tokenizer " + path + ": not a SentencePiece model (" + status.ToString() + ")");
  }
  tok.path_ = path;
  tok.vocab_size_ = tok.processor_->GetPieceSize();
  tok.pad_id_ = tok.processor_->pad_id();
  tok.unk_id_ = tok.processor_->unk_id();
  tok.bos_id_ = tok.processor_->bos_id();
  tok.eos_id_ = tok.processor_->eos_id();
  if (tok.eos_id_ < 0) throw DataError("tokenizer " + path + ": the model has no EOS id");
  tok.identity_ = "sentencepiece:v" + std::to_string(tok.vocab_size_) + ":fnv1a64:" + hex64(fnv1a64(bytes));
  return tok;
}

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<int32_t> Tokenizer::encode_prompt(std::string_view text) const {
  std::vector<int> ids;
  const auto status = processor_->Encode(text, &ids);
  if (!status.ok()) throw DataError("tokenizer " + path_ + ": encode failed: " + status.ToString());
  return std::vector<int32_t>(ids.begin(), ids.end());
}

std::vector<int32_t> Tokenizer::encode_document(std::string_view text) const {
  std::vector<int32_t> ids = encode_prompt(text);
  ids.push_back(eos_id_);
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids) const {
  std::vector<int> sp_ids;
  sp_ids.reserve(ids.size());
  for (const int32_t id : ids) {
    if (id < 0 || id >= vocab_size_) {
      throw DataError("tokenizer " + path_ + ": cannot decode id " + std::to_string(id) + ", vocabulary has " +
                      std::to_string(vocab_size_) + " ids");
    }
    sp_ids.push_back(id);
  }
  std::string text;
  const auto status = processor_->Decode(sp_ids, &text);
  if (!status.ok()) throw DataError("tokenizer " + path_ + ": decode failed: " + status.ToString());
  return text;
}

std::string Tokenizer::piece(int32_t id) const {
  if (id < 0 || id >= vocab_size_) {
    throw DataError("tokenizer " + path_ + ": no piece for id " + std::to_string(id));
  }
  return processor_->IdToPiece(id);
}

}  // namespace pldr::data
