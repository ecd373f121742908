// pldr verify-golden FILE.h5 [--dtype float64|float32] [--rope-table fitted|computed] [--device cpu|cuda]:
// prints one JSON report; exit 1 on any failure.
#include <iostream>

#include "apps/pldr/commands.h"
#include "apps/pldr/device_flag.h"
#include "apps/pldr/flags.h"
#include "pldr/golden_check.h"

namespace pldr::cli {

int verify_golden(const Args& args) {
  const Flags flags(args, {"dtype", "rope-table", "device"}, {});
  if (flags.positionals().size() != 1) throw UsageError("verify-golden takes one golden file");
  const DType dtype = dtype_from_name(flags.get("dtype", "float64"));
  if (dtype == DType::Int32) throw UsageError("--dtype must be float64 or float32");
  const std::string rope = flags.get("rope-table", "fitted");
  if (rope != "fitted" && rope != "computed") throw UsageError("--rope-table must be fitted or computed");
  const Device device = device_flag(flags);
  const GoldenReport report = verify_golden(flags.positionals()[0], dtype, rope == "fitted", device);
  std::cout << report.to_json().dump(2) << std::endl;
  return report.passed() ? 0 : 1;
}

}  // namespace pldr::cli
