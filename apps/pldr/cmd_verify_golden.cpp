// pldr verify-golden FILE.h5 [--dtype float64|float32] [--rope-table reference|fitted] [--simd avx2|avx512]
//   [--device cpu|cuda]:
// prints one JSON report; exit 1 on any failure.
#include <iostream>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/device_flag.h"
#include "reference/golden_check.h"

namespace pldr::cli {

int cmd_verify_golden(const Args& args) {
  const Flags flags(args, {"dtype", "rope-table", "simd", "device"}, {});
  if (flags.positionals().size() != 1) throw UsageError("verify-golden takes one golden file");
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
  return report.passed() ? 0 : 1;
}

}  // namespace pldr::cli
