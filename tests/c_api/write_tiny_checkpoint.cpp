// The C API test's checkpoint fixture: a small random float32 checkpoint (vocabulary 32000, 64
// positions) that names the published tokenizer, for the calls that need a tokenizer.
//   write_tiny_checkpoint PATH
#include <cstdio>
#include <exception>

#include "tests/apps/tiny_checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_tiny_checkpoint PATH\n");
    return 2;
  }
  try {
    pldr::testing::save_tiny_checkpoint(argv[1], 64, 11);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_tiny_checkpoint: %s\n", e.what());
    return 1;
  }
  return 0;
}
