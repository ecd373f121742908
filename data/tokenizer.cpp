// Tokenizer: loading a SentencePiece model, encoding, decoding, identity.
#include "data/tokenizer.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "data/error.h"
#include "data/tokenizer_backend.h"

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

TokenizerEngine default_tokenizer_engine() {
  return has_tokenizer_engine(TokenizerEngine::library) ? TokenizerEngine::library : TokenizerEngine::builtin;
}

bool has_tokenizer_engine(TokenizerEngine engine) {
  return engine == TokenizerEngine::builtin || PLDR_WITH_SENTENCEPIECE_LIBRARY;
}

namespace {

std::unique_ptr<TokenizerBackend> make_backend(const std::string& bytes, TokenizerEngine engine) {
#if PLDR_WITH_SENTENCEPIECE_LIBRARY
  if (engine == TokenizerEngine::library) return make_library_backend(bytes);
#endif
  return make_builtin_backend(bytes);
}

}  // namespace

Tokenizer Tokenizer::load(const std::string& path, TokenizerEngine engine) {
  if (!has_tokenizer_engine(engine)) throw DataError("tokenizer " + path + ": this build has no SentencePiece library");
  const std::string bytes = read_model_bytes(path);
  if (bytes.empty()) throw DataError("tokenizer " + path + ": file is empty, not a SentencePiece model");
  Tokenizer tok;
  try {
    tok.backend_ = make_backend(bytes, engine);
  } catch (const DataError& e) {
    throw DataError("tokenizer " + path + ": not a SentencePiece model (" + e.what() + ")");
  }
  tok.path_ = path;
  tok.vocab_size_ = tok.backend_->vocab_size();
  tok.pad_id_ = tok.backend_->pad_id();
  tok.unk_id_ = tok.backend_->unk_id();
  tok.bos_id_ = tok.backend_->bos_id();
  tok.eos_id_ = tok.backend_->eos_id();
  if (tok.eos_id_ < 0) throw DataError("tokenizer " + path + ": the model has no EOS id");
  tok.identity_ = "sentencepiece:v" + std::to_string(tok.vocab_size_) + ":fnv1a64:" + hex64(fnv1a64(bytes));
  return tok;
}

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<int32_t> Tokenizer::encode_prompt(std::string_view text) const {
  try {
    return backend_->encode(text);
  } catch (const DataError& e) {
    throw DataError("tokenizer " + path_ + ": " + e.what());
  }
}

std::vector<int32_t> Tokenizer::encode_document(std::string_view text) const {
  std::vector<int32_t> ids = encode_prompt(text);
  ids.push_back(eos_id_);
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids) const {
  for (const int32_t id : ids) {
    if (id < 0 || id >= vocab_size_) {
      throw DataError("tokenizer " + path_ + ": cannot decode id " + std::to_string(id) + ", vocabulary has " +
                      std::to_string(vocab_size_) + " ids");
    }
  }
  try {
    return backend_->decode(ids);
  } catch (const DataError& e) {
    throw DataError("tokenizer " + path_ + ": " + e.what());
  }
}

std::string Tokenizer::piece(int32_t id) const {
  if (id < 0 || id >= vocab_size_) {
    throw DataError("tokenizer " + path_ + ": no piece for id " + std::to_string(id));
  }
  return backend_->piece(id);
}

}  // namespace pldr::data
