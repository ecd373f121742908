#include "apps/pldr/threads_flag.h"

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "apps/flags.h"
#include "tensor/threads.h"

namespace pldr::cli {

FlagSpec threads_flag() {
  return {"threads", "N", "all cores, or PLDR_NUM_THREADS", "CPU threads to run on (OpenMP)", {}};
}

void apply_threads_flag(Args& args) {
  std::optional<std::string> flag;
  for (size_t i = 0; i < args.size();) {
    if (args[i] == "--threads") {
      if (i + 1 >= args.size()) throw UsageError("--threads needs a value");
      flag = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
    } else if (args[i].rfind("--threads=", 0) == 0) {
      flag = args[i].substr(10);
      args.erase(args.begin() + i);
    } else {
      ++i;
    }
  }
  int n = 0;
  try {
    n = requested_num_threads(flag, 0);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (n == 0) return;
  set_num_threads(n);
  ::setenv("PLDR_NUM_THREADS", std::to_string(n).c_str(), 1);
}

}  // namespace pldr::cli
