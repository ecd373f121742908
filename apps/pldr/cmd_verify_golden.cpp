// pldr verify-golden FILE.h5: see verify_golden_spec. Prints one JSON report and a summary line;
// exit 1 on any failure.
#include <iostream>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/device_flag.h"
#include "reference/golden_check.h"

namespace pldr::cli {

namespace {

// One line after the JSON: how many items passed, the failures by name.
void print_summary(const reference::GoldenReport& report) {
  size_t passed = 0, not_finite = 0;
  std::string failed;
  for (const reference::GoldenItem& item : report.items) {
    if (!item.reference_finite) ++not_finite;
    else if (item.passed) ++passed;
    else failed += (failed.empty() ? "" : ", ") + item.name;
  }
  std::cerr << "verify-golden " << report.file << " (" << dtype_name(report.dtype) << "): " << passed << " of "
            << report.items.size() << " items pass";
  if (not_finite) std::cerr << ", " << not_finite << " with a non-finite reference";
  if (!failed.empty()) std::cerr << "; FAILED: " << failed;
  std::cerr << std::endl;
}

}  // namespace

const CommandSpec& verify_golden_spec() {
  static const CommandSpec spec{
      .name = "verify-golden",
      .synopsis = "FILE.h5 [--dtype float64|float32] [--rope-table reference|fitted] [--simd avx2|avx512]",
      .summary = "compare with tensors dumped from the reference implementation",
      .flags = {{"dtype", "float64|float32", "float64", "the dtype to run in", {}},
                {"rope-table",
                 "reference|fitted",
                 "reference",
                 "the reference's RoPE table, or one fitted from the file",
                 {}},
                {"simd", "avx2|avx512", "avx2", "the lane grouping of the reference's SLEEF table", {}},
                device_flag_spec(),
                threads_flag()},
      .positionals = "one golden file",
      .min_positionals = 1,
      .max_positionals = 1,
      .overrides_as_flags = false,
      .notes = "Prints the JSON report on stdout and a summary line on stderr; exits 1 if an item fails."};
  return spec;
}

int cmd_verify_golden(const Args& args) {
  const Flags flags(args, verify_golden_spec());
  const DType dtype = dtype_from_name(flags.get("dtype", "float64"));
  if (dtype == DType::Int32) throw UsageError("--dtype must be float64 or float32");
  reference::GoldenOptions options;
  const std::string rope = flags.get("rope-table", "reference");
  if (rope != "reference" && rope != "fitted") throw UsageError("--rope-table must be reference or fitted");
  if (rope == "fitted") options.rope = reference::RopeTableSource::Fitted;
  const std::string simd = flags.get("simd", "avx2");
  if (simd != "avx2" && simd != "avx512") throw UsageError("--simd must be avx2 or avx512");
  if (simd == "avx512") options.lanes = reference::SimdLanes::Avx512;
  const Device device = device_flag(flags);
  const reference::GoldenReport report = reference::verify_golden(flags.positionals()[0], dtype, options, device);
  std::cout << report.to_json().dump(2) << std::endl;
  print_summary(report);
  return report.passed() ? 0 : 1;
}

}  // namespace pldr::cli
