// What a pldr_model handle holds: the model, its tokenizer when the build and the model have one,
// the thread count of its calls, and the deductive outputs of its last forward pass.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/tokenizer.h"
#include "pldr/model.h"
#include "pldr/pldr.h"

struct pldr_model {
  std::unique_ptr<pldr::PldrModel> model;
  std::optional<pldr::data::Tokenizer> tokenizer;
  std::string missing_tokenizer;  // why there is none, when the model names one that is absent
  int threads = 0;                // set before each computing call (OpenMP's count is per calling thread); 0: as is
  std::vector<pldr::LayerDeductive> deductive;  // A, A_LM, Ap, G_LM per layer; empty before a pass
};

namespace pldr::capi {

// The handle, or Error(PLDR_ERR_INVALID_ARGUMENT) naming the function when it is NULL.
const pldr_model& checked(const pldr_model* model, const char* function);
pldr_model& checked(pldr_model* model, const char* function);

// Token ids must index the model's vocabulary: Error(PLDR_ERR_INVALID_ARGUMENT) naming the first
// that does not.
void check_token_ids(const int32_t* ids, size_t n_ids, int64_t vocab_size, const char* function);

}  // namespace pldr::capi
