// How many threads the CPU kernels (OpenMP) run on, and what chooses that number, in one place
// for the pldr tool, the trainer and the benchmark programs.
#pragma once
#include <optional>
#include <string>

namespace pldr {

// Later parallel regions run on n threads (n >= 1). Without OpenMP it does nothing.
void set_num_threads(int n);

// The threads the next parallel region runs on (1 without OpenMP).
int num_threads();

// The thread count asked for: `flag` (the text of a --threads flag) when given, else the
// environment's PLDR_NUM_THREADS when set, else `fallback` (0: none asked for, the OpenMP
// default). A flag or variable that is not an integer in [1, 4096] throws std::invalid_argument
// naming --threads or PLDR_NUM_THREADS; the variable is not read when the flag is given.
int requested_num_threads(const std::optional<std::string>& flag, int fallback);

}  // namespace pldr
