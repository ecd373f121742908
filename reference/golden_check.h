// `pldr verify-golden`: runs everything a golden file from the reference holds (forward pass,
// deductive outputs, loss, gradients, DAG terms, AdamW steps, greedy generation in three modes)
// and compares item by item, as llm.c's test_gpt2 prints its max differences.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reference/rope_reference_table.h"
#include "tensor/device.h"
#include "tensor/dtype.h"

namespace pldr::reference {

struct GoldenItem {
  std::string name;
  double max_abs = 0;  // max |ours - reference|
  double max_rel = 0;  // max_abs / max |reference| (the item's largest magnitude)
  bool passed = false;
  std::string rule;  // the pass mark applied, e.g. "rel<=1e-08"
  // The reference itself holds inf or NaN here (e.g. a DAG term that overflowed): the item is
  // neither passed nor failed but listed as such, with the first non-finite reference value and ours.
  bool reference_finite = true;
  double reference_value = 0, our_value = 0;
};

struct GoldenReport {
  std::string file;
  DType dtype = DType::Float64;
  std::vector<GoldenItem> items;
  bool passed() const;  // every comparable item passed (reference_not_finite ones are listed apart)
  nlohmann::json to_json() const;
};

// max |ours - reference| and its ratio to max |reference| (ours and reference of equal length), not
// yet judged; where the reference holds inf or NaN, the item says so with the first such pair.
GoldenItem measure_difference(const std::string& name, const std::vector<double>& ours,
                              const std::vector<double>& reference);

// Which float32 RoPE table the comparisons run with. The reference multiplies its activations by a
// float32 table made with PyTorch's SLEEF cosf/sinf, which differ from correctly rounded values by
// one ulp at some angles; the float64 pass mark (1e-8) needs that exact table.
enum class RopeTableSource {
  Reference,  // computed as PyTorch does (reference/rope_reference_table.h), for any shape
  Fitted,     // diagnostic: recovered from the file's layer-0 scores (reference/rope_table_fit.h) and
              // compared entry by entry with the computed one (items rope_table/cos, rope_table/sin)
};

struct GoldenOptions {
  RopeTableSource rope = RopeTableSource::Reference;
  SimdLanes lanes = SimdLanes::Avx2;  // the reference machine's vector width
};

// Throws std::runtime_error (naming the file and the missing piece) when `path` is not a valid
// golden file; comparison failures are reported in the items, not thrown.
//
// device: where the model runs (forward, gradients, generation, training); the golden tensors and
// the RoPE table stay on the host, and the same pass marks apply on every device.
GoldenReport verify_golden(const std::string& path, DType dtype, const GoldenOptions& options = {},
                           Device device = Device::CPU);

}  // namespace pldr::reference
