// `pldr inspect`: every layer's deductive outputs (A, A_LM, Ap, G_LM, attention) for a prompt,
// written to HDF5 as /layer{i}/{A, A_LM, Ap, G_LM, scores, E} with the prompt's ids in /tokens.
#pragma once
#include <string>
#include <vector>

#include "pldr/model.h"

namespace pldr {

void write_deductive_outputs(const std::string& path, const PldrModel& model, const std::vector<int32_t>& prompt);

}  // namespace pldr
