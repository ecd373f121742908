// The repetition penalty as Hugging Face applies it (RepetitionPenaltyLogitsProcessor): before the
// temperature and the top-k/top-p filters, the logit of every token already in the sequence
// (prompt included) is divided by the penalty when positive and multiplied by it when negative,
// so a penalty above 1 makes repeats less likely and 1 changes nothing.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

// logits [B, V]; sequences[b] the tokens of row b so far. Returns penalised logits on the logits'
// device and in their dtype (a copy; the input is left as it is). penalty must be > 0.
Tensor apply_repetition_penalty(const Tensor& logits, const std::vector<std::vector<int32_t>>& sequences,
                                double penalty);

}  // namespace pldr
