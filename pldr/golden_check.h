// `pldr verify-golden`: runs everything a golden file from the reference holds (forward pass,
// deductive outputs, loss, gradients, DAG terms, AdamW steps, greedy generation in three modes)
// and compares item by item, as llm.c's test_gpt2 prints its max differences.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"

namespace pldr {

struct GoldenItem {
  std::string name;
  double max_abs = 0;    // max |ours - reference|
  double max_rel = 0;    // max_abs / max |reference| (the item's largest magnitude)
  bool passed = false;
  std::string rule;      // the pass mark applied, e.g. "rel<=1e-08"
};

struct GoldenReport {
  std::string file;
  DType dtype = DType::Float64;
  std::vector<GoldenItem> items;
  bool passed() const;
  nlohmann::json to_json() const;
};

// Throws std::runtime_error (naming the file and the missing piece) when `path` is not a valid
// golden file; comparison failures are reported in the items, not thrown.
//
// fit_rope: recover the reference's float32 RoPE table from the file's layer-0 scores
// (pldr/rope_table_fit.h), check it is within one ulp of this build's, and run every comparison
// with it. The reference's cosf/sinf differ from this machine's by one ulp at a few angles; the
// float64 pass mark (1e-8) is only reachable with its exact table. Without fitting, this build's
// own table is used and float64 items agree to about 1e-7.
//
// device: where the model runs (forward, gradients, generation, training); the golden tensors
// and the RoPE fit stay on the host, and the same pass marks apply on every device.
GoldenReport verify_golden(const std::string& path, DType dtype, bool fit_rope = true, Device device = Device::CPU);

}  // namespace pldr
