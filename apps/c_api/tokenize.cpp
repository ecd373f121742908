// pldr_tokenize and pldr_detokenize: the model's SentencePiece tokenizer, where the build has one.
#include <cstring>

#include "apps/c_api/model_handle.h"
#include "apps/c_api/status.h"

namespace pldr::capi {
namespace {

const data::Tokenizer& tokenizer_of(const pldr_model& m, const char* function) {
  if (m.tokenizer) return *m.tokenizer;
  throw Error(PLDR_ERR_NO_TOKENIZER,
              std::string(function) + ": " +
                  (m.missing_tokenizer.empty() ? "the model was opened without a tokenizer (its folder has no "
                                                 "tokenizer.model; give tokenizer_path when opening it)"
                                               : m.missing_tokenizer));
}

}  // namespace
}  // namespace pldr::capi

using pldr::capi::Error;

extern "C" {

pldr_status pldr_tokenize(pldr_model* model, const char* text, int32_t* ids, size_t capacity, size_t* n_ids) {
  if (n_ids) *n_ids = 0;
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    const pldr_model& m = pldr::capi::checked(model, "pldr_tokenize");
    pldr::capi::require_pointer(text, "pldr_tokenize", "text");
    pldr::capi::require_pointer(n_ids, "pldr_tokenize", "n_ids");
    if (!ids && capacity > 0) throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_tokenize: ids is NULL with a capacity");
    const std::vector<int32_t> encoded = pldr::capi::tokenizer_of(m, "pldr_tokenize").encode_prompt(text);
    *n_ids = encoded.size();
    if (!ids) return;  // asked for the count alone
    if (capacity < encoded.size())
      throw Error(PLDR_ERR_BUFFER_TOO_SMALL, "pldr_tokenize: the text has " + std::to_string(encoded.size()) +
                                                 " ids, the buffer holds " + std::to_string(capacity));
    std::copy(encoded.begin(), encoded.end(), ids);
  });
}

pldr_status pldr_detokenize(pldr_model* model, const int32_t* ids, size_t n_ids, char* text, size_t capacity,
                            size_t* length) {
  if (length) *length = 0;
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    const pldr_model& m = pldr::capi::checked(model, "pldr_detokenize");
    if (n_ids > 0) pldr::capi::require_pointer(ids, "pldr_detokenize", "ids");
    pldr::capi::require_pointer(length, "pldr_detokenize", "length");
    if (!text && capacity > 0) throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_detokenize: text is NULL with a capacity");
    const pldr::data::Tokenizer& tok = pldr::capi::tokenizer_of(m, "pldr_detokenize");
    pldr::capi::check_token_ids(ids, n_ids, tok.vocab_size(), "pldr_detokenize");
    const std::string decoded = tok.decode({ids, n_ids});
    *length = decoded.size();
    if (!text) return;  // asked for the length alone
    if (capacity < decoded.size() + 1)
      throw Error(PLDR_ERR_BUFFER_TOO_SMALL, "pldr_detokenize: the text needs " + std::to_string(decoded.size() + 1) +
                                                 " bytes with its NUL, the buffer holds " + std::to_string(capacity));
    std::memcpy(text, decoded.c_str(), decoded.size() + 1);
  });
}

}  // extern "C"
