// `pldr inspect`: every layer's deductive outputs (A, A_LM, Ap, G_LM, attention) for a prompt,
// written to HDF5 as /{A, A_LM, Ap, G_LM, scores, E}/layer{i} with the prompt's ids in /tokens, and
// for a learned G the power law's parameters of Hugging Face's output_pldr_attentions tuple,
// /{pw, a, ba}/layer{i} [H, dk, dk] (docs/pldr-llm.md §4.5).
// That is the layout of the reference's paper_G_LM.h5 (<group>/layer{i}), so the file loads as an
// external G with group "G_LM" (load_external_G; the v510Gi transfer, train/g_transfer.h).
#pragma once
#include <string>
#include <vector>

#include "pldr/model.h"

namespace pldr::interop {

void write_deductive_outputs(const std::string& path, const PldrModel& model, const std::vector<int32_t>& prompt);

}  // namespace pldr::interop
