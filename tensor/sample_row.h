// The sampling rule (SampleRule, tensor/op_types.h) on one row of logits on the host, in double:
// the CPU's sample_rows kernel runs it row by row, pldr/sampling.cpp's host helpers call it, and
// the CUDA kernel (tensor/cuda/sample_rows.cu) restates the same arithmetic in the same order,
// so a seed gives the same tokens on every path.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/op_types.h"

namespace pldr {

// Temperature, then top-p and top-k in the rule's order; removed entries become -1e10 (the
// reference's fill value). Top-k keeps logits >= the k-th largest (ties kept, as the reference).
// Top-p sorts descending and accumulates softmax probabilities c: the reference keeps
// max(count(c <= p) - 1, 0) + 1 tokens (the one that crosses p is excluded); Hugging Face the
// smallest prefix whose mass reaches p (the crossing token included).
void filter_row(std::vector<double>& logits, const SampleRule& rule);

// The token of one row: greedy's first maximum, or the filtered row's categorical draw at
// uniform·Σ exp(l - max) (uniform in (0, 1)), scanning the weights in order. -1 when the row holds
// NaN.
int32_t pick_row(std::vector<double> logits, const SampleRule& rule, double uniform);

}  // namespace pldr
