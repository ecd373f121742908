// `pldr verify-golden`: runs everything a golden file from the reference holds (forward pass,
// deductive outputs, loss, gradients, DAG terms, AdamW steps, greedy generation in three modes)
// and compares item by item, as llm.c's test_gpt2 prints its max differences.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
GoldenReport verify_golden(const std::string& path, DType dtype);

}  // namespace pldr
