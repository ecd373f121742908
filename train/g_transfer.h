// The v510Gi transfer (docs/pldr-llm.md §4.4, predefined G; the reference's ablation/pldr_model_v510Gi): a
// trained model's weights without its metric learner, run on a G_LM that model computed (for
// instance `pldr inspect`'s /G_LM/layer{i}, loaded with load_external_G).
#pragma once
#include <memory>
#include <vector>

#include "pldr/model.h"

namespace pldr {

// A custom_G_type=external copy of `trained` (a learned-G model): every parameter the external-G
// model has is copied from `trained` by name (the metric learner's are left out), and G, one
// [1, H, dk, dk] per layer, is its predefined G. std::invalid_argument on a G of the wrong count or
// shape, or when `trained` lacks a parameter.
std::unique_ptr<PldrModel> transfer_to_predefined_G(const PldrModel& trained, std::vector<Tensor> G);

}  // namespace pldr
