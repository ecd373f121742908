// pldr verify-golden FILE.h5 [--dtype float64|float32]: prints one JSON report; exit 1 on any failure.
#include <iostream>

#include "apps/pldr/commands.h"
#include "apps/pldr/flags.h"
#include "pldr/golden_check.h"

namespace pldr::cli {

int verify_golden(const Args& args) {
  const Flags flags(args, {"dtype"}, {});
  if (flags.positionals().size() != 1) throw UsageError("verify-golden takes one golden file");
  const DType dtype = dtype_from_name(flags.get("dtype", "float64"));
  if (dtype == DType::Int32) throw UsageError("--dtype must be float64 or float32");
  const GoldenReport report = verify_golden(flags.positionals()[0], dtype);
  std::cout << report.to_json().dump(2) << std::endl;
  return report.passed() ? 0 : 1;
}

}  // namespace pldr::cli
